package ogc

import (
	"context"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
)

// openAPIValidator returns the command that validates an OpenAPI document
// read from stdin: the Python openapi-spec-validator package. Without it
// the test is skipped, except under CI, where it fails.
func openAPIValidator(t *testing.T) *exec.Cmd {
	t.Helper()
	const script = "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))\n"
	if err := exec.Command("python3", "-c", "import openapi_spec_validator").Run(); err != nil {
		testkit.Missing(t, "python3 with openapi-spec-validator", "it comes with the machine image")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, "python3", "-c", script)
}

// TestOpenAPIValid checks the API definition with openapi-spec-validator.
func TestOpenAPIValid(t *testing.T) {
	cmd := openAPIValidator(t)
	rec := testkit.Get(newServer(fixtureReader(), Config{}), "/ogc/api")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	cmd.Stdin = strings.NewReader(rec.Body.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the API definition is not valid OpenAPI 3.0: %v\n%s", err, out)
	}
}

// TestOpenAPIDeclaresWhatIsServed asks every path of the API definition for
// each encoding the f parameter names, and checks that the 200 response
// declares exactly the media types the server answers with.
func TestOpenAPIDeclaresWhatIsServed(t *testing.T) {
	e := newServer(fixtureReader(), Config{})
	doc := decode(t, testkit.Get(e, "/ogc/api"))
	paths := doc["paths"].(map[string]any)
	if len(paths) < 8 {
		t.Fatalf("the definition has %d paths", len(paths))
	}
	for path, item := range paths {
		t.Run(path, func(t *testing.T) {
			op := item.(map[string]any)["get"].(map[string]any)
			content := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)
			var declared []string
			for m := range content {
				declared = append(declared, m)
			}
			target := "/ogc" + strings.NewReplacer("{collectionId}", "cases", "{featureId}", "BN0800").Replace(path)
			var served []string
			for _, f := range []string{"json", "html"} {
				rec := testkit.Get(e, target+"?f="+f)
				if rec.Code == http.StatusOK {
					mt, _, _ := strings.Cut(rec.Header().Get(echo.HeaderContentType), "; charset")
					served = append(served, mt)
				}
			}
			slices.Sort(declared)
			slices.Sort(served)
			if !slices.Equal(declared, served) {
				t.Errorf("declares %v, serves %v", declared, served)
			}
			if hasF := slices.ContainsFunc(op["parameters"].([]any), func(p any) bool {
				return p.(map[string]any)["$ref"] == "#/components/parameters/f"
			}); hasF != slices.Contains(served, mediaHTML) {
				t.Errorf("declares the f parameter: %v, serves HTML: %v", hasF, slices.Contains(served, mediaHTML))
			}
		})
	}
	bbox := doc["components"].(map[string]any)["parameters"].(map[string]any)["bbox"].(map[string]any)["schema"].(map[string]any)
	if bbox["minItems"] != float64(4) || bbox["maxItems"] != float64(6) {
		t.Errorf("bbox has %v to %v numbers, want 4 to 6", bbox["minItems"], bbox["maxItems"])
	}
}
