"""IAM Identity Center: sign-in (OAuth device authorization), the AWS CLI's SSO token cache,
and discovery of every account and role the portal offers.

- ``sessions``: the SSO sessions of the config (``[sso-session NAME]`` and legacy start URLs);
- ``token_cache``: tokens and client registrations where and as the AWS CLI writes them;
- ``device_flow``: RegisterClient / StartDeviceAuthorization / CreateToken polling;
- ``flows``: sign-ins that wait for the user concurrently with other requests;
- ``portal``: ListAccounts / ListAccountRoles / GetRoleCredentials;
- ``discovery``: the discovered roles, cached per SSO session on disk.

botocore and requests are imported on first use only.
"""
