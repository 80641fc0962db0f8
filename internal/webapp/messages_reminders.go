package webapp

// The reminders page's texts.
func init() {
	addMessages(
		message{"reminders.title", "Avisos", "Reminders"},
		message{"reminders.intro", "Tus avisos pendientes, los más próximos primero: los de tus notas y los de las notas del equipo que avisan a todos.",
			"Your pending reminders, soonest first: those of your notes and those of team notes that remind everyone."},
		message{"reminders.none", "No tienes avisos pendientes.", "You have no pending reminders."},
		message{"reminders.overdue", "Vencido", "Overdue"},
		message{"reminders.everyone", "Para todos", "For everyone"},
		message{"reminders.private", "Privada", "Private"},
		message{"reminders.kind.contact", "Contacto", "Contact"},
		message{"reminders.kind.opportunity", "Oportunidad", "Opportunity"},
		message{"reminders.kind.quote", "Presupuesto", "Quote"},
		message{"reminders.kind.client", "Cliente", "Client"},
		message{"reminders.kind.supplier", "Proveedor", "Supplier"},
	)
}
