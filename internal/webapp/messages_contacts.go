package webapp

// The texts of the contact list and of the contact form.
func init() {
	addMessages(
		message{"contacts.title", "Contactos", "Contacts"},
		message{"contacts.new", "Nuevo contacto", "New contact"},
		message{"contacts.search", "Buscar contactos", "Search contacts"},
		message{"contacts.q", "Buscar", "Search"},
		message{"contacts.qHint", "Nombre, apellidos o empresa", "Name, surname or company"},
		message{"contacts.find", "Buscar", "Search"},
		message{"contacts.kind", "Tipo", "Kind"},
		message{"contacts.kind.none", "Contacto", "Lead"},
		message{"contacts.kind.leads", "Contactos (sin convertir)", "Leads (not converted)"},
		message{"contacts.kind.client", "Clientes", "Clients"},
		message{"contacts.kind.supplier", "Proveedores", "Suppliers"},
		message{"contacts.none", "Todavía no hay contactos.", "No contacts yet."},
		message{"contacts.noneFound", "Ningún contacto coincide con la búsqueda.", "No contact matches the search."},
		message{"contacts.badCursor", "La lista ha cambiado: vuelve a buscar.", "The list has changed: search again."},

		message{"contacts.form.newTitle", "Nuevo contacto", "New contact"},
		message{"contacts.form.editTitle", "Editar contacto", "Edit contact"},
		message{"contacts.form.back", "Volver al contacto", "Back to the contact"},
		message{"contacts.form.create", "Crear contacto", "Create contact"},
		message{"contacts.form.save", "Guardar", "Save"},
		message{"contacts.form.duplicate", "Ya hay un contacto con ese e-mail o teléfono:", "A contact with that e-mail or phone already exists:"},
		message{"contacts.form.stale", "Alguien ha cambiado este contacto mientras lo editabas. Tus cambios siguen aquí: si guardas, sustituyen a los suyos.",
			"Someone changed this contact while you were editing it. Your changes are still here: saving replaces theirs."},
	)
}
