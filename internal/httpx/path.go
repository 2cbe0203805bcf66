package httpx

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// CleanPathParams refuses a request whose path parameters (a feature id, a
// user's name, a token) are not UTF-8 text or hold a NUL byte, with a 400
// naming the parameter, as CheckQuery does for query parameters: no
// handler or store sees such a value (PostgreSQL refuses it in text, which
// would otherwise be a 500).
func CleanPathParams() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			for i, v := range c.ParamValues() {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					name := "path"
					if names := c.ParamNames(); i < len(names) {
						name = names[i]
					}
					return BadRequest("%s: not UTF-8 text, or holds a NUL byte", name)
				}
			}
			return next(c)
		}
	}
}
