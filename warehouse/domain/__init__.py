"""The domain: the platform table and each platform's behaviour, kinds, metrics, power formulas, posts, audience, webcare, text.
Imports infra only; never the landing zone, inputs, build or read."""
