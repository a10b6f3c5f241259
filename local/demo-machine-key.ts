/**
 * The private key of the local demo client `demo-machine-jwt` (private_key_jwt, RS256): its
 * public half is the client's `jwks` in config/local.json. Local mode writes it to
 * `<data-dir>/demo-machine-jwt.pem` (PKCS#8) on first start, so a script or an SDK's
 * PrivateKeyJwtProvider can sign client assertions with it (docs/local-mode.md).
 *
 * DEVELOPMENT ONLY, and public on purpose, like the dev users' passwords: it proves
 * nothing outside local mode. Never register its public key with a deployed server.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DEMO_MACHINE_JWT_KEY_FILE = 'demo-machine-jwt.pem';

const DEMO_MACHINE_JWT_PRIVATE_KEY = `
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDCwAG6ESpOGYfj
CP+UWnb9rBnPK/tL2hq0GfM/7QLZ4kU2S5PSL5k+Qbq1/nOq4U+K+GO7EFET9JIm
Y7eBzUMWrpVwaopJWVZQHGlr8YJDxrXJNnOCCImE2e6h8uWLtJ58FZZ7z8S1S7sL
5vHMOy+7y8Cs8t43Pa4WRzt4jWzYXZf1wGL6l3v4m6y1gNxJ/hS4MksejTjfBAvi
gfek7JoYC+KtlkELB4KxixXjfG7FiuddBR7VxcgtEZ34AZuB2CI54PIkubHGxeUz
XsED9w63q0lehP/PdI0c61X7DlABAwuw5CHXPSA8NoTrDa4z8qgCoFGFyqbgZZWt
87YV9aPfAgMBAAECggEAO3sqa9qPScBJfSHD8ds5iZv1XA3KWG36hvSAE4+/ta2C
xyUJNoKcMuQfczOOv2vGgCMCTuGaadZihwAgza/UJErZULbxmpqDHr+2wSXHzAyW
fCi52cbivaVUWblWu7dESpDLX/Bi256QN//m7SJMn3aJWClrjoKzt5E1DEphqqlN
wAq5Zw7h5wZVi/Kdn2hUkzV/OoUG/gZjTmmfM10u9lBjvxHfJ8vl8gtoE1X59JHo
pFcwgBYkdNrGm1nbz3d6xEU0/rzN8S8jDrC5s1zZcofJUzfBxY8o3AH5b2aOcdf9
XLvzWIeLqDyEGxELQ7L8oFSWFzJh857YF3Ugugej6QKBgQD/S3bHz1n4BXxP6XAt
iICNcw1BBagzChMRxCpkagc0HHmZ+yGGnzYGub8TyRDi8Tg2VkwBoU/OuMpq19Gf
epGooDGU4CcTxcpaKafCAgFNpdxfddAoe7t+evf9rPLZHEdoo4QBoZ2pDFFr203L
TH37O61fWhMbbUPDxfpgyhR7VwKBgQDDSbo+Vuf+Lf1D0NPAt+LVdts51w0futIF
tvdE5RY2JnMvhymEWGCtn6xQfjcrcOzXC817umwOP/kDDG9Ad4zW7ZpzP0sSG0ob
CVwIViBvW/vr76MiXxmXzBz0xdebCAa6P9ubX0KmcMRltSdRGEuiw+2QCKEkYSi+
It3XBIxOuQKBgDZQYNH7zGFXEW6S9JnLW8Y8PwqhYHqTXyE9geNhJ20vzbMz2Zsh
jkX6CKv18BDITzRIQd1q62bIq8/1YJS0Z/7fLg1FbyrmvrlV+WnuMUbKzcrFbube
BDLRiKdAv13vhUW+3BvYvYk0pLH0s2VYPclQlf8eU8hXA77IBQ/Ijnj7AoGBAJra
29STFWN5FFuyPDeVmUmr9irnXIDMo73kWC9JeVN3Kd+GTmWjrwX+l6U8cIMCCMx9
j3ONYCHsmIjSU2XLZuMHhnHcvqqc+SZ3RYNWyGGFjz6Hx9R5lNHKCSwPteg5dRw7
huitoSxaP2JnQ8YKfe+Tbc3JCf7PDH+5JjBaaugBAoGAGn6tX7NXNtRqjcNj48qJ
zJw1Xw7fxvV5RcZdOnY4+p4TUB87gSamai6Yslib53E7mXFcHC9ikoVqGhBPwxvw
gPSTjMycfIJhxml0laXQI/rvh4gOdqZGbiFeg5ZNH2sLkWT4oLMkxfCdQdKYW7Oc
Jqjx5QvvNQYU87dqG+NJMvE=
-----END PRIVATE KEY-----
`.trim();

/** Writes the demo client's key into the data folder unless it is there; returns its path. */
export function writeDemoMachineKey(dataDir: string): { path: string; created: boolean } {
  const path = join(dataDir, DEMO_MACHINE_JWT_KEY_FILE);
  if (existsSync(path)) return { path, created: false };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${DEMO_MACHINE_JWT_PRIVATE_KEY}\n`, { mode: 0o600 });
  return { path, created: true };
}
