package main

import (
	"context"

	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edithttp"
	"github.com/labstack/echo/v4"
)

// clusterLabels gives the bulletin each cluster's public label: the one an
// editor approved, else a neutral one (kind and ward); nil when the store
// keeps no labels, and then every cluster reads "Ổ dịch".
func clusterLabels(d serverDeps) func(ctx context.Context) (map[string]string, error) {
	labels, ok := d.store.(features.ClusterLabels)
	return func(ctx context.Context) (map[string]string, error) {
		approved := map[string]features.ClusterLabel{}
		if ok {
			var err error
			if approved, err = labels.ApprovedClusterLabels(ctx); err != nil {
				return nil, err
			}
		}
		return features.PublicClusterLabels(ctx, d.store, approved)
	}
}

// registerClusterLabels adds the editors' cluster label routes when the
// store keeps labels.
func registerClusterLabels(d serverDeps, api *echo.Group) {
	if labels, ok := d.store.(features.ClusterLabels); ok {
		edithttp.NewClusterLabels(edithttp.ClusterLabelsConfig{Labels: labels, Reader: d.store, Require: authhttp.Require}).Register(api)
	}
}
