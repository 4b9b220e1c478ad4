package endpoints

// IssuerConfig is everything that belongs to one issuer. The default issuer
// (at "/", or at the path of Config.Issuer) takes these settings from the top
// level of Config; more issuers are listed under Config.Issuers.
type IssuerConfig struct {
	// Path is where the issuer lives under the server's base URL, such as
	// "/realms/acme". The default issuer's path comes from Config.Issuer.
	Path string `yaml:"path"`
	// URL is the issuer identifier; filled in by Normalize from the base URL
	// and Path unless given.
	URL string `yaml:"url"`
	// Profile shapes discovery and tokens like a well-known provider
	// (google, auth0, keycloak, entra…); empty for plain testidp.
	Profile   string     `yaml:"profile"`
	Login     string     `yaml:"login"`
	Lifetimes Lifetimes  `yaml:"lifetimes"`
	Clients   []Client   `yaml:"clients"`
	Users     []User     `yaml:"users"`
	Keys      KeysConfig `yaml:"keys"`
}

// defaultIssuer is the issuer the top-level fields describe.
func (c Config) defaultIssuer() IssuerConfig {
	return IssuerConfig{URL: c.Issuer, Profile: c.Profile, Login: c.Login, Lifetimes: c.Lifetimes,
		Clients: c.Clients, Users: c.Users, Keys: c.Keys}
}
