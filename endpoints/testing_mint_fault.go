package endpoints

import (
	"fmt"
	"net/http"

	"github.com/testidp/testidp/issuer"
)

// mintFault builds a fault case for the request's client and user. The
// fault defines the header; claims only add to the baseline.
func (s *site) mintFault(r *http.Request, req mintRequest, m Mint) (*mintResponse, error) {
	if len(req.Header) > 0 {
		return nil, badMint("header cannot be combined with fault: the case defines the header")
	}
	for name, raw := range req.Claims {
		if string(raw) == "null" {
			return nil, badMint(fmt.Sprintf("claims.%s: null cannot be combined with fault (the case defines what is missing)", name))
		}
	}
	c, err := s.mintClient(req.ClientID)
	if err != nil {
		return nil, err
	}
	spec := s.idSpecFor(c, m)
	spec.AccessToken, spec.Code = req.AccessToken, req.Code
	env := s.faultEnv(r.Context(), c, spec)
	env.NoNonce = false // the caller is the RP: it "sent" the nonce it gave, or the default one
	env.RogueURL = req.RogueURL
	if req.Kind == string(issuer.KindAccessToken) {
		env.Kind = issuer.KindAccessToken
		env.Access, _ = s.accessSpecFor(c, m)
	}
	f, cs, v, err := s.forge(env, req.Fault)
	if err != nil {
		return nil, err
	}
	last := f.Last()
	resp := &mintResponse{Token: last.Token, Header: rawOrString(last.Header), Claims: rawOrString(last.Payload),
		Fault: cs.Ref(v), Expect: v.Expect, Description: v.Description, Delivery: &v.Delivery}
	for _, st := range f.Steps {
		resp.Steps = append(resp.Steps, mintStep{Token: st.Token, Header: rawOrString(st.Header), Claims: rawOrString(st.Payload),
			Expect: st.Expect, Nonce: st.Nonce, AccessToken: st.AccessToken, Code: st.Code, Userinfo: optRaw(st.Userinfo),
			Refresh: st.Refresh, JWKS: optRaw(st.JWKS), MaxAge: st.MaxAge, State: st.State, ACRValues: st.ACRValues,
			TrustedAudiences: st.TrustedAudiences, Note: st.Note})
	}
	if f.Rogue != nil {
		resp.Rogue = &rogueDoc{URL: f.RogueURL, ContentType: f.RogueType, Document: string(f.Rogue)}
	}
	return resp, nil
}

func optRaw(b []byte) []byte {
	if b == nil {
		return nil
	}
	return rawOrString(b)
}
