package webapp

// The texts of the contact list and of the contact form.
func init() {
	addMessages(
		message{"contacts.title", "Contactos", "Contacts"},
		message{"contacts.kind.none", "Contacto", "Lead"},
		message{"contacts.kind.client", "Clientes", "Clients"},
		message{"contacts.kind.supplier", "Proveedores", "Suppliers"},
	)
}
