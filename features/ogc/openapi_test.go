package ogc

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIValid checks the API definition with the Python
// openapi-spec-validator, when the machine has it.
func TestOpenAPIValid(t *testing.T) {
	const script = "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))\n"
	if err := exec.Command("python3", "-c", "import openapi_spec_validator").Run(); err != nil {
		t.Skip("python3 with openapi-spec-validator is not installed")
	}
	rec := fetch(newServer(newFakeReader(), Config{}), "/ogc/api")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", script)
	cmd.Stdin = strings.NewReader(rec.Body.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the API definition is not valid OpenAPI 3.0: %v\n%s", err, out)
	}
}
