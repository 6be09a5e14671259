"""TLS for every NATS connection a chatbus program makes, from the one set of settings.

nats-py takes an ``ssl.SSLContext`` (``tls=``) and FastStream a security object
around one; both are built from ``Settings.nats_tls()``, so the edge, the handler services and the
command-line tools trust the same CA and present the same client certificate.
A ``tls://`` URL alone needs none of the settings: nats-py then verifies the
server against the system's CAs.

Errors::

    NatsTlsError    a TLS setting's file holds no usable certificate or key
"""

import ssl
from pathlib import Path

__all__ = ["NatsTlsError", "client_tls_context"]


class NatsTlsError(ValueError):
    """A TLS setting names a file that holds no usable certificate or key."""


def client_tls_context(
    ca_file: Path | None, cert_file: Path | None, key_file: Path | None
) -> ssl.SSLContext | None:
    """A client context trusting ``ca_file`` (else the system's CAs) and presenting
    ``cert_file``/``key_file`` when given; None when neither file is given.

    Certificates are verified and host names checked (the URL's host must be in
    the server's certificate), as ``ssl.create_default_context`` does.
    """
    if ca_file is None and cert_file is None:
        return None
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    except ssl.SSLError as error:
        raise NatsTlsError(
            f"CHATBUS_NATS_TLS_CA_FILE: {ca_file} holds no CA certificate ({error.reason})"
        ) from None
    if cert_file is not None:
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as error:
            raise NatsTlsError(
                f"CHATBUS_NATS_TLS_CERT_FILE / _KEY_FILE: {cert_file} and {key_file} are not"
                f" a certificate and its key ({error.reason})"
            ) from None
    return context
