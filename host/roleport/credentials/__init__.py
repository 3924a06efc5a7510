"""Temporary credentials for a profile or a role, only through botocore's own credential
providers, in small units with one job each (as botocore builds its provider chain:
https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).

- resolver.py        CredentialResolver: composes the units below for the pipeline;
- profile.py         a profile's credentials through botocore's providers (assume role, SSO,
                     credential_process, keys, credential_source);
- long_term_keys.py  IAM user keys cannot sign in: GetFederationToken exchanges them;
- role_from_source.py  AssumeRole on an ARN built from an account id and a role name, with a
                     source profile's credentials;
- caches.py          the AWS CLI's assumed-role cache, the SSO token cache, and the wrapper
                     that re-assumes chained roles whose cached session is too short;
- mfa.py             MFA codes come from the caller, never from a prompt;
- process.py         a profile's credential_process, bounded in time, output and lifetime;
- session_name.py    the person a role session is named after;
- resolved.py        ResolvedCredentials, what the units hand back.

Every failure leaves as a RoleportError (roleport.error_map); no message carries a secret.
Nothing here imports botocore at module level.
"""
