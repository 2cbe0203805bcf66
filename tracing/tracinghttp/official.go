package tracinghttp

import "github.com/labstack/echo/v4"

// registerOfficial adds the routes of officials and enterprises.
func (h *Handler) registerOfficial(g *echo.Group) {}
