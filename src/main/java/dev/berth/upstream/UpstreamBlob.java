package dev.berth.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An open blob download: the body as a stream and its length (-1 when unknown). The caller reads and must close it;
 * closing releases the connection. The bytes are not verified here: whoever stores them checks the digest. A failure
 * while reading (reset, read timeout) is a plain IOException from the stream, not an {@link UpstreamException}.
 */
public record UpstreamBlob(InputStream content, long length) implements Closeable {
    @Override
    public void close() throws IOException {
        content.close();
    }
}
