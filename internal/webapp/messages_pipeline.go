package webapp

// The pipeline page's texts.
func init() {
	addMessages(
		message{"pipeline.title", "Pipeline", "Pipeline"},
		message{"pipeline.tabs", "Estados", "States"},
		message{"pipeline.empty", "No hay oportunidades en este estado.", "No opportunities in this state."},
		message{"pipeline.more", "Ver más", "Show more"},
	)
}
