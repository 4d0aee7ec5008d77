package dev.berth.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/** The distribution API's own headers, which the handlers, the peer endpoint and the error writer all send. */
final class RegistryHeaders {
    static final HeaderName DOCKER_CONTENT_DIGEST = HeaderNames.create("Docker-Content-Digest");
    static final Header API_VERSION = HeaderValues.createCached("Docker-Distribution-API-Version", "registry/2.0");

    private RegistryHeaders() {
    }
}
