package endpoints

import "sort"

// endpointPaths are where one issuer's endpoints live, relative to the
// issuer's path. A profile can move them (Keycloak's token endpoint is
// /protocol/openid-connect/token); discovery, the login page and the testing
// API stay where they are.
type endpointPaths struct {
	authorize, token, userinfo, jwks, introspect, revoke, endSession string
}

var defaultPaths = endpointPaths{
	authorize: pathAuthorize, token: pathToken, userinfo: pathUserinfo, jwks: pathJWKS,
	introspect: pathIntrospect, revoke: pathRevoke, endSession: pathEndSession,
}

// field maps a profile's endpoint name to its field.
func (e *endpointPaths) field(name string) *string {
	switch name {
	case "authorize":
		return &e.authorize
	case "token":
		return &e.token
	case "userinfo":
		return &e.userinfo
	case "jwks":
		return &e.jwks
	case "introspect":
		return &e.introspect
	case "revoke":
		return &e.revoke
	case "end_session":
		return &e.endSession
	}
	return nil
}

// endpointNames are the keys of a profile's endpoints.
var endpointNames = []string{"authorize", "token", "userinfo", "jwks", "introspect", "revoke", "end_session"}

// pathsFor applies a profile's endpoint paths over the defaults (unknown
// names are reported by Validate and ignored here).
func pathsFor(p Profile) endpointPaths {
	e := defaultPaths
	for name, path := range p.Endpoints {
		if f := e.field(name); f != nil {
			*f = path
		}
	}
	return e
}

// routed lists every path an issuer serves below its own path, sorted;
// Validate uses it to keep issuers from hiding each other's endpoints.
func (e endpointPaths) routed() []string {
	out := []string{e.authorize, e.token, e.userinfo, e.jwks, e.introspect, e.revoke, e.endSession,
		pathLogin, pathLoggedOut, pathDiscovery, pathASMetadata, pathTestingAPI}
	sort.Strings(out)
	return out
}
