package features

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/audit"
)

// A cluster's name is written by whoever records the cases ("Khu nhà trọ
// bà Xuân, phường Phú Hòa") and may name a person. The public never reads
// it: it sees the label an editor approved, or until then a neutral one
// made of the cluster's kind and ward (NeutralClusterLabel).

// ClusterLabel is the public label an editor approved for a cluster.
type ClusterLabel struct {
	// Cluster is the cluster's name as cases carry it (their "cluster").
	Cluster string `json:"cluster"`
	// Label is what the public reads instead.
	Label string `json:"label"`
	// ApprovedBy and Approved say who approved it and when.
	ApprovedBy string    `json:"approved_by"`
	Approved   time.Time `json:"approved"`
}

// Limits of a cluster label.
const (
	MinClusterLabelRunes = 3
	MaxClusterLabelRunes = 120
)

// ClusterLabels keeps the approved labels, on both stores.
type ClusterLabels interface {
	// ApprovedClusterLabels returns every approved label, by cluster.
	ApprovedClusterLabels(ctx context.Context) (map[string]ClusterLabel, error)
	// ApproveClusterLabel stores (or replaces) the label of l.Cluster and
	// appends its audit entry (entry: Actor, Role, RequestID, Note; the
	// store fills the rest), in one transaction, and changes the data
	// version so that the bulletin is computed again. It returns the label
	// as stored.
	ApproveClusterLabel(ctx context.Context, l ClusterLabel, entry audit.Entry) (ClusterLabel, error)
}

// CheckClusterLabel refuses a label no store should keep: an empty
// cluster, a label shorter than MinClusterLabelRunes or longer than
// MaxClusterLabelRunes runes, or text that is not clean (CleanText).
func CheckClusterLabel(l ClusterLabel) error {
	label := strings.TrimSpace(l.Label)
	switch n := utf8.RuneCountInString(label); {
	case strings.TrimSpace(l.Cluster) == "" || !CleanText(l.Cluster):
		return fmt.Errorf("%w: cluster: a cluster's name is required", ErrInvalid)
	case !CleanText(label):
		return fmt.Errorf("%w: label: not clean UTF-8 text", ErrInvalid)
	case n < MinClusterLabelRunes || n > MaxClusterLabelRunes:
		return fmt.Errorf("%w: label: %d characters, want %d to %d", ErrInvalid, n, MinClusterLabelRunes, MaxClusterLabelRunes)
	}
	return nil
}

// ClusterLabelAudit is the audit document of an approved label: the
// cluster's own name is digested, never written, since it may name a
// person.
func ClusterLabelAudit(l ClusterLabel, signer audit.Signer) json.RawMessage {
	doc, _ := json.Marshal(map[string]string{"cluster": signer.Digest([]byte(l.Cluster)), "label": l.Label}) // NOTE: strings always encode
	return doc
}

// clusterKinds map words of a cluster's name to its neutral kind, first
// match wins (compared folded, without accents).
var clusterKinds = []struct{ words []string }{
	{[]string{"nha tro", "khu tro", "phong tro", "day tro", "ky tuc"}},
	{[]string{"cong ty", "cty", "nha may", "xuong", "kcn", "khu cong nghiep", "doanh nghiep"}},
	{[]string{"cho ", "cho dau moi", "sieu thi", "trung tam thuong mai"}},
	{[]string{"benh vien", "tram y te", "phong kham"}},
	{[]string{"truong"}},
}

// clusterKindNames are the Vietnamese names of clusterKinds, then of a
// cluster of no known kind.
var clusterKindNames = []string{"khu trọ", "doanh nghiệp", "chợ, siêu thị", "cơ sở y tế", "trường học", "cộng đồng"}

// NeutralClusterLabel is the public label of a cluster no editor labelled
// yet: "Ổ dịch" with the cluster's kind, read from words of its name
// (boarding house, company, market, health facility, school, else
// community), and its ward's name (empty: none), never the name itself.
func NeutralClusterLabel(cluster, ward string) string {
	folded := Fold(cluster) + " "
	kind := clusterKindNames[len(clusterKindNames)-1]
	for i, k := range clusterKinds {
		if slices.ContainsFunc(k.words, func(w string) bool { return strings.Contains(folded, w) }) {
			kind = clusterKindNames[i]
			break
		}
	}
	if ward == "" {
		return "Ổ dịch " + kind
	}
	return "Ổ dịch " + kind + ", " + ward
}

// PublicClusterLabels returns the public label of every cluster the cases
// of r name: the approved one, else NeutralClusterLabel with the ward most
// of its cases live in.
func PublicClusterLabels(ctx context.Context, r Reader, approved map[string]ClusterLabel) (map[string]string, error) {
	cat := NewCatalog()
	cases, _ := cat.Get("cases")
	wards, _ := cat.Get("wards")
	cs, err := r.Items(ctx, ItemsQuery{Collection: cases, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("features: cluster labels: %w", err)
	}
	ws, err := r.Items(ctx, ItemsQuery{Collection: wards, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("features: cluster labels: %w", err)
	}
	names := map[string]string{}
	for _, w := range ws.Features {
		code, _ := w.Properties["code"].(string)
		names[code], _ = w.Properties["name"].(string)
	}
	byWard := map[string]map[string]int{}
	for _, c := range cs.Features {
		cl, _ := c.Properties["cluster"].(string)
		if cl == "" {
			continue
		}
		if byWard[cl] == nil {
			byWard[cl] = map[string]int{}
		}
		w, _ := c.Properties["ward_code"].(string)
		byWard[cl][w]++
	}
	out := make(map[string]string, len(byWard))
	for cl, ws := range byWard {
		if a, ok := approved[cl]; ok {
			out[cl] = a.Label
			continue
		}
		out[cl] = NeutralClusterLabel(cl, names[mostCommon(ws)])
	}
	return out, nil
}

// mostCommon is the key with the largest count, the smallest key on a tie.
func mostCommon(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}
