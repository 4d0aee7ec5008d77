package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One satisfiable byte range of a blob, from a {@code Range: bytes=...} request header. */
record ByteRange(long start, long end) {
    private static final Pattern SPEC = Pattern.compile("(\\d*)-(\\d*)");
    /**
     * More range-specs than this are served as the whole blob, as RFC 9110 allows: a header of thousands of tiny
     * ranges would cost more in part headers (and in seeks) than the blob.
     */
    static final int MAX_RANGES = 64;
    /** Ranges closer than this are sent as one part: a part's own headers take about as many bytes. */
    static final long COALESCE_GAP = 128;

    /** Bytes in the range. */
    long length() {
        return end - start + 1;
    }

    /** The Content-Range header value for a blob of {@code size} bytes. */
    String contentRange(long size) {
        return "bytes " + start + "-" + end + "/" + size;
    }

    /**
     * The ranges a header asks for within {@code size} bytes, sorted, with those that overlap or nearly touch merged
     * (RFC 9110 14.2 allows both). Empty when there is no header or it is one we serve whole: another unit, a syntax
     * error, more than {@link #MAX_RANGES} specs. Specs that cannot be satisfied are left out; when none can,
     * RANGE_INVALID (416, with {@code Content-Range: bytes *}{@code /size}).
     */
    static List<ByteRange> parse(Optional<String> header, long size) {
        if (header.isEmpty()) {
            return List.of();
        }
        String value = header.get().trim();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bytes=")) {
            return List.of();
        }
        String[] specs = value.substring("bytes=".length()).split(",", MAX_RANGES + 1);
        if (specs.length > MAX_RANGES) {
            return List.of();
        }
        List<ByteRange> satisfiable = new ArrayList<>();
        for (String spec : specs) {
            Matcher m = SPEC.matcher(spec.trim());
            if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                return List.of();
            }
            of(m.group(1), m.group(2), size).ifPresent(satisfiable::add);
        }
        if (satisfiable.isEmpty()) {
            throw unsatisfiable(size);
        }
        return coalesce(satisfiable);
    }

    /** The range {@code first-last} within {@code size} bytes; empty when it cannot be satisfied. */
    private static Optional<ByteRange> of(String first, String last, long size) {
        try {
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                return suffix == 0 || size == 0 ? Optional.empty()
                        : Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            return start >= size || end < start ? Optional.empty() : Optional.of(new ByteRange(start, end));
        } catch (NumberFormatException e) {
            // Digits too many for a long: far beyond any blob.
            return Optional.empty();
        }
    }

    private static List<ByteRange> coalesce(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(ByteRange::start));
        List<ByteRange> merged = new ArrayList<>();
        ByteRange current = sorted.getFirst();
        for (ByteRange next : sorted.subList(1, sorted.size())) {
            if (next.start() <= current.end() + COALESCE_GAP) {
                current = new ByteRange(current.start(), Math.max(current.end(), next.end()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return List.copyOf(merged);
    }

    private static RegistryException unsatisfiable(long size) {
        return new RegistryException(OciError.RANGE_INVALID, "requested range is not within the blob's "
                + size + " bytes").withHeader("Content-Range", "bytes */" + size);
    }
}
