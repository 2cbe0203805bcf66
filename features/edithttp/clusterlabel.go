package edithttp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// ClusterLabelsConfig is what the cluster label routes need.
type ClusterLabelsConfig struct {
	// Labels keeps the approved labels; required.
	Labels features.ClusterLabels
	// Reader reads the cases and wards the neutral labels are made of;
	// required.
	Reader features.Reader
	// Require guards the routes by role, as Config.Require.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
}

// ClusterLabels serves the editors' routes of cluster labels: a cluster's
// name (what cases carry) may name a person, so the public reads the label
// an editor approved, or a neutral one until then.
//
//	GET /api/editor/clusters                  every cluster: name, neutral and approved label, what the public reads
//	PUT /api/editor/clusters/{cluster}/label  {"label": "…", "note": "…"}: approve a label (editors and admins of the whole province)
type ClusterLabels struct {
	cfg ClusterLabelsConfig
}

// NewClusterLabels returns the handler of cfg.
func NewClusterLabels(cfg ClusterLabelsConfig) *ClusterLabels { return &ClusterLabels{cfg: cfg} }

// maxLabelBody caps the body of an approval.
const maxLabelBody = 8 << 10

// Register adds the routes to g, the group mounted at /api.
func (h *ClusterLabels) Register(g *echo.Group) {
	var read, change []echo.MiddlewareFunc
	if h.cfg.Require != nil {
		read = []echo.MiddlewareFunc{h.cfg.Require(auth.Editor, auth.Viewer, auth.Tracer)}
		change = []echo.MiddlewareFunc{h.cfg.Require(auth.Editor)}
	}
	g.Match([]string{http.MethodGet, http.MethodHead}, "/editor/clusters", h.list, read...)
	g.PUT("/editor/clusters/:cluster/label", h.approve, change...)
}

// clusterRow is one cluster as editors see it.
type clusterRow struct {
	Cluster  string                 `json:"cluster"`
	Public   string                 `json:"public"`
	Approved *features.ClusterLabel `json:"approved,omitempty"`
}

func (h *ClusterLabels) list(c echo.Context) error {
	if _, err := request(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	approved, err := h.cfg.Labels.ApprovedClusterLabels(ctx)
	if err != nil {
		return err
	}
	public, err := features.PublicClusterLabels(ctx, h.cfg.Reader, approved)
	if err != nil {
		return err
	}
	rows := make([]clusterRow, 0, len(public))
	for cl, label := range public {
		row := clusterRow{Cluster: cl, Public: label}
		if a, ok := approved[cl]; ok {
			row.Approved = &a
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b clusterRow) int { return strings.Compare(a.Cluster, b.Cluster) })
	return c.JSON(http.StatusOK, map[string]any{"clusters": rows})
}

func (h *ClusterLabels) approve(c echo.Context) error {
	r, err := changer(c)
	if err != nil {
		return err
	}
	if r.Principal.District != "" {
		return httpx.Problem(http.StatusForbidden, "a cluster may span districts: only editors of the whole province approve its public label",
			httpx.WithMember("detail_vi", "ổ dịch có thể trải qua nhiều huyện: chỉ biên tập viên toàn tỉnh được duyệt nhãn công khai"),
			httpx.WithCause(auth.ErrForbidden))
	}
	cluster, err := param(c, "cluster")
	if err != nil {
		return err
	}
	var body struct {
		Label string `json:"label"`
		Note  string `json:"note"`
	}
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxLabelBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return httpx.BadRequest("body: want {\"label\": \"…\", \"note\": \"…\"} of at most %d bytes", maxLabelBody)
	}
	if body.Note != "" {
		r.Note = body.Note
	}
	if !features.CleanText(r.Note) {
		return httpx.BadRequest("note: not clean UTF-8 text")
	}
	l := features.ClusterLabel{Cluster: cluster, Label: body.Label}
	if err := features.CheckClusterLabel(l); err != nil {
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), features.ErrInvalid.Error()+": "), httpx.WithCause(err))
	}
	if known, err := features.PublicClusterLabels(c.Request().Context(), h.cfg.Reader, nil); err != nil {
		return err
	} else if _, ok := known[cluster]; !ok {
		return httpx.Problem(http.StatusNotFound, "no case names this cluster", httpx.WithMember("detail_vi", "không ca bệnh nào thuộc ổ dịch này"))
	}
	if false {
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), features.ErrInvalid.Error()+": "), httpx.WithCause(err))
	}
	stored, err := h.cfg.Labels.ApproveClusterLabel(c.Request().Context(), l, audit.Entry{
		Actor: r.Principal.User, Role: string(r.Principal.Role), RequestID: r.RequestID, Note: r.Note,
	})
	if errors.Is(err, features.ErrInvalid) {
		return httpx.Problem(http.StatusUnprocessableEntity, err.Error(), httpx.WithCause(err))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, stored)
}
