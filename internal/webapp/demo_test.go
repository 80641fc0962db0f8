package webapp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// demo is a small company's CRM as the screenshots and the browser tests
// of every page show it: a web agency in Spain with five sources, five
// services, two agents, an admin and a staff user, 36 contacts who came
// as leads over the last six months (each given an agent), their
// opportunities in every state (won through an accepted quote, lost with
// a reason), notes with avisos and a file.
type demo struct {
	env       *webtest.Env
	states    map[string]crm.State // by name
	sources   []crm.Source
	interests []crm.Interest
	staff     crm.User // Lucía, a staff user
	// featured is the contact whose page the screenshots show: a client
	// with a won opportunity (its quote accepted), an open one, team and
	// private notes and a file.
	featured crm.Contact
	won      crm.Opportunity // the featured contact's won opportunity
	open     crm.Opportunity // the featured contact's open one
	quote    crm.Quote       // the accepted quote of won
}

// demoPeople are the demo's contacts: name, surnames, company, city.
var demoPeople = [][4]string{
	{"Carmen", "Navarro Ibáñez", "Navarro Interiorismo SL", "Granada"},
	{"José Luis", "Martín Ortega", "Talleres Martín", "Sevilla"},
	{"Lucía", "Fernández Gil", "", "Madrid"},
	{"Antonio", "Serrano Vidal", "Bodegas Serrano", "Jerez de la Frontera"},
	{"Marta", "Iglesias Romero", "Clínica Dental Iglesias", "Valencia"},
	{"Francisco Javier", "Castro Molina", "Ferretería Castro", "Córdoba"},
	{"Isabel", "Domínguez Sanz", "Academia Atenea", "Zaragoza"},
	{"Manuel", "Gómez Herrera", "Gómez Asesores", "Málaga"},
	{"Elena", "Rubio Marín", "", "Bilbao"},
	{"David", "Morales Cano", "Morales Fotografía", "Murcia"},
	{"Pilar", "Ortiz Delgado", "Floristería La Camelia", "Salamanca"},
	{"Sergio", "Blanco Prieto", "Blanco Logística SL", "Valladolid"},
	{"Rosa", "Medina Suárez", "Hotel Rural El Almendro", "Cáceres"},
	{"Pablo", "Vega Santana", "Surf School Vega", "Las Palmas de Gran Canaria"},
	{"Ana Belén", "León Cruz", "León Abogados", "Alicante"},
	{"Javier", "Garrido Calvo", "", "Pamplona"},
	{"Cristina", "Ramos Lozano", "Panadería Ramos", "Toledo"},
	{"Alberto", "Pascual Reyes", "Pascual Climatización", "Castellón de la Plana"},
	{"Teresa", "Nieto Campos", "Nieto Psicología", "Oviedo"},
	{"Raúl", "Cabrera Márquez", "Cabrera Motor", "Almería"},
	{"Nuria", "Vicente Pastor", "Estudio Vicente Arquitectura", "Barcelona"},
	{"Miguel Ángel", "Herrero Ferrer", "Herrero Instalaciones", "Tarragona"},
	{"Beatriz", "Carmona Soler", "", "Huelva"},
	{"Fernando", "Lorenzo Esteban", "Autoescuela Lorenzo", "Burgos"},
	{"Silvia", "Mora Crespo", "Mora Eventos", "Santander"},
	{"Diego", "Hidalgo Arias", "Hidalgo Reformas", "Jaén"},
	{"Patricia", "Santos Guerrero", "Óptica Santos", "A Coruña"},
	{"Alejandro", "Fuentes Bravo", "Fuentes & Bravo Consultores", "Logroño"},
	{"Raquel", "Carrasco Díez", "Carrasco Yoga", "Palma"},
	{"Jorge", "Caballero Nieto", "Caballero Carpintería", "Albacete"},
	{"Eva", "Peña Montero", "", "Cádiz"},
	{"Rubén", "Gallego Rojas", "Gallego Seguros", "León"},
	{"Sonia", "Vargas Benítez", "Vargas Moda", "Badajoz"},
	{"Adrián", "Sáez Cortés", "Cervecería Sáez", "Girona"},
	{"Laura", "Méndez Parra", "Méndez Veterinaria", "Lugo"},
	{"Óscar", "Aguilar Fuentes", "Aguilar Transportes", "Huesca"},
}

// demoServices are the interests, with the approximate amount of an
// opportunity for each, in cents.
var demoServices = []struct {
	name   string
	amount int64
}{
	{"Tienda online", 480000}, {"Web corporativa", 220000}, {"Posicionamiento SEO", 90000},
	{"Mantenimiento anual", 60000}, {"Hosting gestionado", 24000},
}

// seedDemo fills env (which runs the change feed: webtest.WithChangeFeed)
// with the demo. The leads arrive over the last six months of env's clock,
// which ends where it started.
func seedDemo(t testing.TB, env *webtest.Env) *demo {
	t.Helper()
	ctx := t.Context()
	d := &demo{env: env, states: map[string]crm.State{}}
	sts, err := env.Svc.PipelineStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		d.states[s.Name] = s
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []crm.Source{
		{Name: "Google Ads", CostCents: 180000, Observations: "Campaña de búsqueda, Andalucía"},
		{Name: "Formulario web"},
		{Name: "Meta Ads", CostCents: 95000},
		{Name: "Feria Expoempresa", CostCents: 250000},
		{Name: "Recomendación"},
	} {
		src, err := env.Svc.CreateSource(ctx, s)
		must(err)
		d.sources = append(d.sources, src)
	}
	for _, s := range demoServices {
		in, err := env.Svc.CreateInterest(ctx, crm.Interest{Name: s.name})
		must(err)
		d.interests = append(d.interests, in)
	}
	var agents []crm.Agent
	for _, a := range []crm.Agent{
		{Code: "MRUIZ", Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Active: true},
		{Code: "JORTEGA", Name: "Javier Ortega", Email: "javier.ortega@example.com", Active: true},
	} {
		ag, err := env.Svc.CreateAgent(ctx, a)
		must(err)
		agents = append(agents, ag)
	}
	d.staff, err = env.Svc.CreateUser(ctx, crm.User{Name: "Lucía Romero", Email: "lucia@example.com", Role: crm.RoleStaff, Active: true})
	must(err)
	_, err = env.Svc.UpdateUser(ctx, env.Admin, env.Admin.ID, 0, func(u *crm.User) error { u.Name = "Isabel Moreno"; return nil })
	must(err)

	// The leads, one every five days or so, from six months ago.
	start := env.Clock.Now()
	env.Clock.Advance(-182 * 24 * time.Hour)
	type lead struct {
		contact crm.Contact
		opp     crm.Opportunity
	}
	var leads []lead
	for i, p := range demoPeople {
		env.Clock.Advance(time.Duration(4*24+i%3*20) * time.Hour)
		first, _, _ := strings.Cut(p[0], " ")
		last, _, _ := strings.Cut(p[1], " ")
		email := strings.ToLower(asciiFold(first + "." + last))
		domain := "example.com"
		if p[2] != "" {
			domain = strings.ToLower(asciiFold(strings.Fields(p[2])[0])) + ".example"
		}
		svc := demoServices[i%len(demoServices)]
		rec, _, err := env.Svc.IntakeLead(ctx, d.sources[i%len(d.sources)], crm.Lead{Format: crm.FormatForm, Name: p[0], Surname: p[1],
			Company: p[2], Email: email + "@" + domain, Phone: fmt.Sprintf("+34 6%02d %03d %03d", 10+i*7%89, 100+i*37%900, 200+i*53%800),
			Address: crm.Address{City: p[3], Country: "ES"}, Interests: []string{svc.name},
			Message: "Me gustaría recibir información y un presupuesto de " + strings.ToLower(svc.name) + "."})
		must(err)
		c, err := env.Svc.UpdateContact(ctx, rec.ContactID, 0, func(c *crm.Contact) error { c.AgentID = agents[i%2].ID; return nil })
		must(err)
		l := lead{contact: c}
		if i%6 != 5 { // most leads become an opportunity within a day
			env.Clock.Advance(18 * time.Hour)
			l.opp, err = env.Svc.CreateOpportunity(ctx, env.Admin, crm.Opportunity{ContactID: c.ID, InterestID: d.interests[i%len(d.interests)].ID,
				AgentID: agents[i%2].ID, Description: svc.name + " para " + orName(p[2], p[0]+" "+last), ApproxAmountCents: svc.amount + int64(i%4)*15000})
			must(err)
		}
		leads = append(leads, l)
	}
	d.featured = leads[0].contact

	// Where each opportunity is now: every fourth won by accepting its
	// quote, every seventh lost, the rest spread over the open states.
	lostReasons := []string{"Precio por encima de su presupuesto", "Eligió otro proveedor", "Lo aplaza al año que viene"}
	for i, l := range leads {
		if l.opp.ID == "" || i == 0 {
			continue
		}
		env.Clock.Advance(2 * time.Hour)
		switch {
		case i%4 == 1:
			q, err := env.Svc.CreateQuote(ctx, env.Admin, l.opp.ID, demoQuote(l.opp))
			must(err)
			_, _, err = env.Svc.AcceptQuote(ctx, env.Admin, q.ID)
			must(err)
		case i%7 == 3:
			_, err := env.Svc.MoveOpportunities(ctx, []string{l.opp.ID}, d.states["Perdido"].ID, lostReasons[i%len(lostReasons)])
			must(err)
		case i%3 == 0:
			_, err := env.Svc.CreateQuote(ctx, env.Admin, l.opp.ID, demoQuote(l.opp))
			must(err)
			_, err = env.Svc.MoveOpportunities(ctx, []string{l.opp.ID}, d.states["Presupuestado"].ID, "")
			must(err)
		case i%3 == 1:
			_, err := env.Svc.MoveOpportunities(ctx, []string{l.opp.ID}, d.states["En negociación"].ID, "")
			must(err)
		}
	}
	env.Clock.Advance(start.Sub(env.Clock.Now()) - 3*24*time.Hour)

	// The featured contact: a shop won three days ago, maintenance open.
	d.won = leads[0].opp
	q := demoQuote(d.won)
	q.ValidUntil = env.Clock.Now().AddDate(0, 1, 0).Format("2006-01-02")
	d.quote, err = env.Svc.CreateQuote(ctx, env.Admin, d.won.ID, q)
	must(err)
	d.quote, _, err = env.Svc.AcceptQuote(ctx, env.Admin, d.quote.ID)
	must(err)
	env.Clock.Advance(start.Sub(env.Clock.Now()) - 2*time.Hour)
	d.open, err = env.Svc.CreateOpportunity(ctx, env.Admin, crm.Opportunity{ContactID: d.featured.ID, InterestID: d.interests[3].ID,
		AgentID: agents[0].ID, Description: "Mantenimiento anual de la tienda", ApproxAmountCents: 72000})
	must(err)
	_, err = env.Svc.MoveOpportunities(ctx, []string{d.open.ID}, d.states["En negociación"].ID, "")
	must(err)
	env.Clock.Advance(start.Sub(env.Clock.Now()))
	now := env.Clock.Now().In(env.Svc.TimeZone())
	aviso := func(days, hour int) *time.Time {
		t := time.Date(now.Year(), now.Month(), now.Day()+days, hour, 30, 0, 0, now.Location())
		return &t
	}
	for _, n := range []struct {
		by   crm.User
		note crm.Note
	}{
		{env.Admin, crm.Note{Visibility: crm.VisibilityTeam, AvisoAt: aviso(2, 10), RemindAll: true,
			Text: "Reunión de arranque de la tienda el jueves: traer el catálogo de productos y las fotos."}},
		{d.staff, crm.Note{Visibility: crm.VisibilityTeam, Text: "Prefiere que la llamemos por la tarde, a partir de las 17:00."}},
		{env.Admin, crm.Note{Visibility: crm.VisibilityPrivate, AvisoAt: aviso(7, 9),
			Text: "Ofrecer el mantenimiento con un 10 % de descuento si firma antes de fin de mes."}},
	} {
		_, err := env.Svc.CreateNote(ctx, n.by, crm.ParentContact, d.featured.ID, n.note)
		must(err)
	}
	for i, l := range leads[1:8] {
		if l.opp.ID == "" {
			continue
		}
		_, err := env.Svc.CreateNote(ctx, d.staff, crm.ParentOpportunity, l.opp.ID, crm.Note{Visibility: crm.VisibilityTeam,
			AvisoAt: aviso(1+i, 9+i%8), Text: "Llamar para resolver dudas del presupuesto."})
		must(err)
	}
	d.upload(t, "briefing-tienda-online.pdf", "application/pdf", 184_320)
	env.Drain(t)
	return d
}

// demoQuote is a quote of o: the service's work and a training session.
func demoQuote(o crm.Opportunity) crm.Quote {
	return crm.Quote{Lines: []crm.QuoteLine{
		{Description: o.Description, QuantityMilli: 1000, UnitPriceCents: o.ApproxAmountCents, TaxBP: 2100},
		{Description: "Formación del equipo (horas)", QuantityMilli: 4000, UnitPriceCents: 4500, DiscountBP: 1000, TaxBP: 2100},
	}}
}

// upload records a file of size bytes on the featured contact and uploads
// it to its presigned URL (the file store of webtest.WithFiles).
func (d *demo) upload(t testing.TB, name, typ string, size int) {
	t.Helper()
	f, up, err := d.env.Svc.CreateFile(t.Context(), d.env.Admin, crm.ParentContact, d.featured.ID, crm.File{Name: name, ContentType: typ, Size: int64(size)})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, up.URL, strings.NewReader(strings.Repeat("%", size)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range up.Headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("uploading %s: %s", name, res.Status)
	}
	if _, err := d.env.Svc.CompleteFile(t.Context(), d.env.Admin, f.ID); err != nil {
		t.Fatal(err)
	}
}

// orName is company, or name when there is none.
func orName(company, name string) string {
	if company != "" {
		return company
	}
	return name
}

// asciiFold writes s without Spanish accents, for e-mail addresses.
func asciiFold(s string) string {
	return strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "&", "").Replace(s)
}
