package main

import (
	"fmt"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/enterprisehttp"
)

// rostersOf returns the roster store of the tracing parts: the PostGIS or
// the embedded tracing store, which keep rosters beside check-ins.
func rostersOf(tp tracingParts) (tracing.Rosters, error) {
	switch {
	case tp.rosters != nil:
		return tp.rosters, nil
	case tp.pg != nil:
		return tp.pg, nil
	case tp.bolt != nil:
		return tp.bolt, nil
	}
	return nil, fmt.Errorf("tracing: no roster store beside %T", tp.store)
}

// enterpriseHandler returns the roster routes (tracing/enterprisehttp)
// over the tracing store tp.
func enterpriseHandler(tp tracingParts) (*enterprisehttp.Handler, error) {
	rosters, err := rostersOf(tp)
	if err != nil {
		return nil, err
	}
	cfg := enterprisehttp.Config{Rosters: rosters, Keys: tp.keys, Bounds: caseimport.ProvinceBounds(), Require: authhttp.Require}
	if s, ok := tp.store.(interface {
		AccessLog(audit.Signer) tracing.AccessLog
	}); ok && tp.signer.Usable() {
		cfg.AccessLog = s.AccessLog(tp.signer) // officials' reads of rosters
	}
	return enterprisehttp.NewHandler(cfg), nil
}
