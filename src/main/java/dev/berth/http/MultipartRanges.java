package dev.berth.http;

import dev.berth.oci.MediaTypes;
import dev.berth.registry.BlobContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * A {@code multipart/byteranges} body (RFC 9110 14.6) of several ranges of one blob: each part its Content-Type and
 * Content-Range, then its bytes. Its length is known before the first byte, so it goes out with a Content-Length.
 */
final class MultipartRanges {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<ByteRange> ranges;
    private final long size;
    // Random, so no blob's bytes can end a part early by containing it.
    private final String boundary;

    MultipartRanges(List<ByteRange> ranges, long size) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        this.ranges = ranges;
        this.size = size;
        this.boundary = "berth-" + HexFormat.of().formatHex(random);
    }

    /** The response's Content-Type. */
    String contentType() {
        return "multipart/byteranges; boundary=" + boundary;
    }

    /** The body's length in bytes. */
    long length() {
        long length = closing().length;
        for (ByteRange range : ranges) {
            length += partHeader(range).length + range.length();
        }
        return length;
    }

    /** Whether the whole blob would be no larger, which RFC 9110 lets a server send instead. */
    boolean largerThanWhole() {
        return length() >= size;
    }

    /** Writes the parts, each range's bytes copied from {@code blob}. */
    void writeTo(BlobContent blob, OutputStream out) throws IOException {
        for (ByteRange range : ranges) {
            out.write(partHeader(range));
            blob.copyTo(range.start(), range.length(), out);
        }
        out.write(closing());
    }

    private byte[] partHeader(ByteRange range) {
        return ("\r\n--" + boundary + "\r\nContent-Type: " + MediaTypes.OCTET_STREAM + "\r\nContent-Range: "
                + range.contentRange(size) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] closing() {
        return ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
