// Package examples shows testidp's oidctest used the way an application's
// tests use it: a web application that logs users in with
// golang.org/x/oauth2 and github.com/coreos/go-oidc, and an API that
// accepts access tokens from a machine client. It is a separate module, so
// that it depends on testidp like any user does.
package examples
