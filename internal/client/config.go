package client

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// Config is where the CLI finds the API: EMBUDO_URL and EMBUDO_TOKEN win
// over the file `embudo login` writes.
type Config struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// ConfigPath is the file `embudo login` writes: <user config dir>/embudo/config.json.
func ConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "embudo", "config.json"), nil
}

// LoadConfig reads the configuration file (if any) and the environment.
func LoadConfig() (Config, error) {
	var c Config
	if p, err := ConfigPath(); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			if err := json.Unmarshal(b, &c); err != nil {
				return c, errors.New("the configuration file " + p + " is not valid JSON: run embudo login again")
			}
		}
	}
	if v := os.Getenv("EMBUDO_URL"); v != "" {
		c.URL = v
	}
	if v := os.Getenv("EMBUDO_TOKEN"); v != "" {
		c.Token = v
	}
	if c.URL == "" {
		c.URL = "http://127.0.0.1:3000"
	}
	return c, nil
}

// SaveConfig writes the configuration file with mode 0600 (it holds a token).
func SaveConfig(c Config) (string, error) {
	p, err := ConfigPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	return p, os.Rename(tmp, p)
}
