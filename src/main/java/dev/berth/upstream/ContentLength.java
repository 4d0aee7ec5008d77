package dev.berth.upstream;

import okhttp3.Response;

/** The {@code Content-Length} a response announced; for HEAD responses the body says nothing, the header does. */
final class ContentLength {
    private ContentLength() {
    }

    /** The announced length, or -1 when absent or malformed. */
    static long of(Response response) {
        String value = response.header("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
