package tracing_test

import (
	"errors"
	"testing"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
)

// TestNormalise checks phone and ID number normalisation against the
// golden table in testdata/identities.json.
func TestNormalise(t *testing.T) {
	inputs := []string{
		"0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "(0912) 345 678",
		"+84912345678", "+84 912 345 678", "84912345678", "0084912345678", "+84 (0) 912", "+84 (0) 912 345 678", "0084 (0)912 345 678", "+1 650 253 0000",
		"02743822123", "+84 274 3822 123", "842743822123",
		"012345678", "079123456789", "079 123 456 789", "0791.2345.6789",
		"", "   ", "091234567", "09123456789012", "0012345678", "+0912345678", "09l2345678", "0912_345_678",
		"123456789012", "+84 9", "84",
	}
	type row struct {
		Input    string `json:"input"`
		Phone    string `json:"phone,omitempty"`
		PhoneErr string `json:"phone_error,omitempty"`
		ID       string `json:"id_number,omitempty"`
		IDErr    string `json:"id_number_error,omitempty"`
		Kind     string `json:"identity_kind,omitempty"`
		Value    string `json:"identity,omitempty"`
	}
	var rows []row
	for _, in := range inputs {
		r := row{Input: in}
		if p, err := tracing.NormalisePhone(in); err != nil {
			r.PhoneErr = reason(t, err)
		} else {
			r.Phone = p
		}
		if d, err := tracing.NormaliseIDNumber(in); err != nil {
			r.IDErr = reason(t, err)
		} else {
			r.ID = d
		}
		if id, err := tracing.ParseIdentity(in); err == nil {
			r.Kind, r.Value = string(id.Kind), id.Value
		}
		rows = append(rows, r)
	}
	testkit.GoldenJSON(t, "testdata/identities.json", rows)
}

func reason(t *testing.T, err error) string {
	t.Helper()
	var fe *tracing.FieldError
	if !errors.As(err, &fe) || !errors.Is(err, tracing.ErrInvalid) {
		t.Fatalf("error %v is not a FieldError", err)
	}
	return fe.Field + ": " + fe.Reason
}

func TestPersonKey(t *testing.T) {
	k1 := keys(t, "a test secret of thirty-two bytes!")
	k2 := keys(t, "another secret of thirty-two byte")
	phone := tracing.Identity{Kind: tracing.Phone, Value: "0912345678"}
	if k1.PersonKey(phone) != k1.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912345678"}) {
		t.Error("the same identity has two keys")
	}
	for name, other := range map[string]tracing.PersonKey{
		"another secret":  k2.PersonKey(phone),
		"another number":  k1.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912345679"}),
		"same digits, ID": k1.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: "0912345678"}),
	} {
		if other == k1.PersonKey(phone) {
			t.Errorf("%s: same key", name)
		}
	}
	k := k1.PersonKey(phone)
	if back, err := tracing.ParsePersonKey(k.String()); err != nil || back != k {
		t.Errorf("ParsePersonKey(String()) = %v, %v", back, err)
	}
	p := k1.NewPerson(phone, "", testkit.Day("2026-11-20"))
	if s := p.String(); s != "person "+k.String() {
		t.Errorf("a person prints as %q", s)
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Nguyễn Văn A", "Ng*** V** A"},
		{"Nguyễn Văn An", "Ng*** V** A"},
		{"Trần Thị Ngọc Bích", "Tr*** T** N** B"},
		{"Lê Lợi", "Lê*** L"},
		{"Ánh", "Á"},
		{"  Hồ  Thu  ", "Hồ*** T"},
		{"", ""},
	} {
		if got := tracing.MaskName(tc.in); got != tc.want {
			t.Errorf("MaskName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"0912345612", "09******12"},
		{"02743822123", "02*******23"},
		{"079123456789", "07********89"},
		{"1234", "****"},
		{"", ""},
	} {
		if got := tracing.MaskDigits(tc.in); got != tc.want {
			t.Errorf("MaskDigits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	p := tracing.Person{Name: "Nguyễn Văn A", Phone: "0912345612", IDNumber: "079123456789"}.Masked()
	if p.Name != "Ng*** V** A" || p.Phone != "09******12" || p.IDNumber != "07********89" {
		t.Errorf("Masked = %+v", p)
	}
}

func keys(t *testing.T, secret string) tracing.Keys {
	t.Helper()
	k, err := tracing.NewKeys([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
