package spreadsheet

import (
	"bytes"
	"testing"
)

// Text cells that a spreadsheet would run as formulas are written with a
// single quote before them; JSON numbers stay numbers, -5 included; the
// import takes the quote off again, so an export imports back as it was
// (issue 10 item 3).
func TestFormulasAreNeutralisedAndImportBack(t *testing.T) {
	var b bytes.Buffer
	_, err := WriteCSV(&b, Format{Comma: ','}, items(nil,
		`{"name":"=HYPERLINK(\"http://x\",\"clic\")","surname":"+cmd|' /C calc'!A0","company":"@SUM(1+1)","observations":"-5",`+
			`"phone":"+34600111222","tags":["=1","b"],"amountCents":-5,"ratio":-0.5,"jobTitle":"\tx","web":"'=kept"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "name,surname,company,observations,phone,tags,amountCents,ratio,jobTitle,web\n" +
		`"'=HYPERLINK(""http://x"",""clic"")",'+cmd|' /C calc'!A0,'@SUM(1+1),'-5,'+34600111222,'=1|b,-5,-0.5,'	x,''=kept` + "\n"
	if b.String() != want {
		t.Errorf("CSV\n%q\nwant\n%q", b.String(), want)
	}
	s, err := Parse(b.String(), ',')
	if err != nil {
		t.Fatal(err)
	}
	m, err := MapColumns(s.Header, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	row, bad := m.Row(s.Records[0], len(s.Header))
	if bad != nil || row.Name != `=HYPERLINK("http://x","clic")` || row.Surname != `+cmd|' /C calc'!A0` || row.Company != "@SUM(1+1)" ||
		row.Observations != "-5" || row.Phone != "+34600111222" || row.JobTitle != "x" || row.Web != "'=kept" {
		t.Errorf("imported back: %+v %v", row, bad)
	}
}
