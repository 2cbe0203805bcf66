package features

import (
	"encoding/json"
	"fmt"

	"github.com/bandomap/bando/audit"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
)

// AuditDocument is the Before or After document of an audit entry for a
// stored record: GeoJSON-like {"geometry", "properties"}, and for people
// layers a "person" member whose values are keyed digests
// (audit.Signer.Digest), never the values: the log shows that a phone
// changed, not the phone. The geometry of a people record is its public
// (geomasked) position, pub; the exact location, a home, is digested as
// person.location. Both stores write it, so that their entries agree.
func AuditDocument(col Collection, st Stored, pub orb.Geometry, signer audit.Signer) (json.RawMessage, error) {
	doc := struct {
		Geometry   *geojson.Geometry `json:"geometry"`
		Properties map[string]any    `json:"properties"`
		Person     map[string]string `json:"person,omitempty"`
	}{Properties: st.Properties}
	if doc.Properties == nil {
		doc.Properties = map[string]any{}
	}
	g := st.Geometry
	if col.People {
		g = pub
		doc.Person = map[string]string{}
		if p := st.Person; p != nil {
			for name, v := range map[string]string{"name": p.Name, "phone": p.Phone, "id_number": p.IDNumber, "address": p.Address} {
				if v != "" {
					doc.Person[name] = signer.Digest([]byte(v))
				}
			}
		}
		if st.Geometry != nil {
			doc.Person["location"] = signer.Digest([]byte(wkt.MarshalString(st.Geometry)))
		}
	}
	if g != nil {
		doc.Geometry = geojson.NewGeometry(g)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("features: encode the audit document of %s %q: %w", col.ID, st.ID, err)
	}
	return body, nil
}
