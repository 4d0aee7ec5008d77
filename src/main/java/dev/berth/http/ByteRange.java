package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One satisfiable byte range of a blob, from a {@code Range: bytes=...} request header. */
record ByteRange(long start, long end) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Bytes in the range. */
    long length() {
        return end - start + 1;
    }

    /** The Content-Range header value for a blob of {@code size} bytes. */
    String contentRange(long size) {
        return "bytes " + start + "-" + end + "/" + size;
    }

    /**
     * The range a header asks for within {@code size} bytes. Empty when there is no header, or it is one we serve
     * whole (several ranges, other units); RANGE_INVALID (416) when it cannot be satisfied.
     */
    static Optional<ByteRange> parse(Optional<String> header, long size) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header.get().trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            long start;
            long end;
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    throw unsatisfiable(size);
                }
                start = Math.max(0, size - suffix);
                end = size - 1;
            } else {
                start = Long.parseLong(m.group(1));
                end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (end < start) {
                    throw unsatisfiable(size);
                }
            }
            if (start >= size) {
                throw unsatisfiable(size);
            }
            return Optional.of(new ByteRange(start, end));
        } catch (NumberFormatException e) {
            throw unsatisfiable(size);
        }
    }

    private static RegistryException unsatisfiable(long size) {
        return new RegistryException(OciError.RANGE_INVALID, "requested range is not within the blob's "
                + size + " bytes").withHeader("Content-Range", "bytes */" + size);
    }
}
