package endpoints

// IssuerConfig is everything that belongs to one issuer. The default issuer
// (at "/", or at the path of Config.Issuer) takes these settings from the top
// level of Config; more issuers are listed under Config.Issuers.
type IssuerConfig struct {
	// Path is where the issuer lives on the server, such as "/realms/acme":
	// an absolute path, appended to the scheme and host of Config.Issuer.
	// The default issuer's path comes from Config.Issuer. An issuer whose
	// profile has a path template may leave it out (the template's default
	// path) or must fit the template.
	Path string `yaml:"path"`
	// URL is the issuer identifier; filled in by Normalize from the base URL
	// and Path unless given. When given, its path is where the issuer lives.
	URL string `yaml:"url"`
	// Profile shapes discovery and tokens like a well-known provider
	// (google, auth0, keycloak, entra…); empty for plain testidp.
	Profile string `yaml:"profile"`
	// Login, Lifetimes: empty or zero inherit the top level's.
	Login     string    `yaml:"login"`
	Lifetimes Lifetimes `yaml:"lifetimes"`
	// Clients and Users: when absent, the profile's, or else the top
	// level's (copies: the issuers still keep apart).
	Clients []Client   `yaml:"clients"`
	Users   []User     `yaml:"users"`
	Keys    KeysConfig `yaml:"keys"`
}

// defaultIssuer is the issuer the top-level fields describe.
func (c Config) defaultIssuer() IssuerConfig {
	return IssuerConfig{Path: urlPath(c.Issuer), URL: c.Issuer, Profile: c.Profile, Login: c.Login, Lifetimes: c.Lifetimes,
		Clients: c.Clients, Users: c.Users, Keys: c.Keys}
}

// allIssuers lists the default issuer, then Issuers.
func (c Config) allIssuers() []IssuerConfig {
	return append([]IssuerConfig{c.defaultIssuer()}, c.Issuers...)
}
