package auth

import (
	"errors"
	"regexp"
	"strings"
	"time"
)

// User is an account.
type User struct {
	// Name is the sign-in name: 3 to 64 characters of a-z, 0-9, '.', '_'
	// and '-', starting with a letter or digit.
	Name string
	Role Role
	// District, for an editor, limits them to one district (its code);
	// empty means the whole province.
	District string
	// Enterprise is the enterprise's id, for the enterprise role only.
	Enterprise string
	// PasswordHash is the argon2id PHC string; empty means no password
	// (the account signs in with tokens only).
	PasswordHash string
	// Disabled accounts neither sign in nor use their tokens.
	Disabled bool
	Created  time.Time
	Updated  time.Time
}

var (
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)
	codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// CheckName reports whether name is a valid user name, as a FieldError.
func CheckName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 64:
		return invalid("name", "%q has %d characters, want 3 to 64", name, len(name))
	case name != strings.ToLower(name):
		return invalid("name", "%q has capital letters; use lower case", name)
	case !namePattern.MatchString(name):
		return invalid("name", "%q: use only a-z, 0-9, '.', '_' and '-', starting with a letter or digit", name)
	}
	return nil
}

// Check reports every rule u breaks, joined, each a FieldError: the name,
// the role, a district only for an editor, an enterprise exactly for the
// enterprise role.
func (u User) Check() error {
	var errs []error
	errs = append(errs, CheckName(u.Name))
	if !u.Role.Valid() {
		errs = append(errs, invalid("role", "%q is not a role; want one of admin, editor, tracer, enterprise, viewer", u.Role))
	}
	switch {
	case u.District != "" && u.Role != Editor && u.Role.Valid():
		errs = append(errs, invalid("district", "only an editor is limited to a district, not a %s", u.Role))
	case u.District != "" && !codePattern.MatchString(u.District):
		errs = append(errs, invalid("district", "%q is not a district code", u.District))
	}
	switch {
	case u.Role == Enterprise && u.Enterprise == "":
		errs = append(errs, invalid("enterprise", "the enterprise role needs the enterprise's id"))
	case u.Enterprise != "" && u.Role != Enterprise && u.Role.Valid():
		errs = append(errs, invalid("enterprise", "only the enterprise role has an enterprise, not a %s", u.Role))
	case u.Enterprise != "" && !codePattern.MatchString(u.Enterprise):
		errs = append(errs, invalid("enterprise", "%q is not an enterprise id", u.Enterprise))
	}
	return errors.Join(errs...)
}

// Principal is the principal u acts as through a session.
func (u User) Principal() Principal {
	return Principal{User: u.Name, Role: u.Role, District: u.District, Enterprise: u.Enterprise, Via: ViaSession}
}

// How a principal signed in.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

// Actor is who makes an account change, as the audit log records it.
type Actor struct {
	// Name is a user name, or "cli:OSUSER" for a command run on the server.
	Name      string
	Role      Role
	RequestID string
}

// ActorOf is the actor of a principal's request.
func ActorOf(p Principal, requestID string) Actor {
	return Actor{Name: p.User, Role: p.Role, RequestID: requestID}
}
