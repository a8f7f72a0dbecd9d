"""A scripted coordinator for the C client's refusal tests: mutual TLS 1.3 with the fleet's
server certificate, one connection, sends the bytes of a case, then reads the client's answer.

    python3 fake_coordinator.py FLEET_DIR CASE PORT_FILE

Cases: oversized (a length prefix one above 4 MiB + 64 KiB), garbage (a 5-byte frame that is no
Envelope), version (an Envelope of protocol_version 2), unknown (an Envelope with field 40, which no message uses).
Prints "error code N" for the Error frame the client answered with, or "no error frame" and the
reason, then exits 0; the calling script checks the code.
"""
import socket
import ssl
import struct
import sys

fleet, case, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
cases = {
    "oversized": struct.pack(">I", 4 * 1024 * 1024 + 64 * 1024 + 1) + b"x" * 16,
    "garbage": struct.pack(">I", 5) + b"\xff" * 5,
    "version": struct.pack(">I", 4) + b"\x08\x02\x42\x00",   # protocol_version 2, a Heartbeat
    "unknown": struct.pack(">I", 5) + b"\x08\x01\xc2\x02\x00",   # protocol_version 1, field 40 (no message there)
}

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.load_cert_chain(f"{fleet}/localhost.pem", f"{fleet}/localhost-key.pem")
context.load_verify_locations(f"{fleet}/ca.pem")
context.verify_mode = ssl.CERT_REQUIRED

listener = socket.create_server(("127.0.0.1", 0))
with open(port_file, "w") as f:
    f.write(str(listener.getsockname()[1]))
listener.settimeout(120)
raw, _ = listener.accept()
raw.settimeout(120)
connection = context.wrap_socket(raw, server_side=True)
connection.sendall(cases[case])


def read_exactly(count):
    data = b""
    while len(data) < count:
        piece = connection.recv(count - len(data))
        if not piece:
            raise EOFError(f"the client closed after {len(data)} of {count} bytes")
        data += piece
    return data


try:
    length = struct.unpack(">I", read_exactly(4))[0]
    body = read_exactly(length)
    # Envelope{protocol_version: 1 (08 01), error (field 9: 4a LEN) {code (08 N), message (12 ...)}}
    if body[:3] == b"\x08\x01\x4a" and body[4] == 0x08:
        print(f"error code {body[5]}")
    else:
        print(f"no error frame: {body[:16].hex()}")
    # the client closes after its Error: the next read ends
    try:
        rest = connection.recv(1)
        print("closed" if not rest else "not closed")
    except (ssl.SSLError, OSError):
        print("closed")
except (EOFError, ssl.SSLError, OSError) as error:
    print(f"no error frame: {error}")
