package auth_test

import (
	"fmt"

	"github.com/bandomap/bando/auth"
)

func ExampleHashPassword() {
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		panic(err)
	}
	right, _ := auth.VerifyPassword(hash, "correct horse battery")
	wrong, _ := auth.VerifyPassword(hash, "correct horse")
	fmt.Println(hash[:31], right, wrong)
	// Output: $argon2id$v=19$m=19456,t=2,p=1$ true false
}

func ExamplePrincipal_Is() {
	editor := auth.Principal{User: "lan", Role: auth.Editor, District: "718"}
	admin := auth.Principal{User: "boss", Role: auth.Admin}
	fmt.Println(editor.Is(auth.Editor), editor.Is(auth.Admin), admin.Is(auth.Editor))
	// Output: true false true
}
