package dev.berth.upstream;

/**
 * An upstream's answer to a range of a blob whose size was not known when it was asked: the range's bytes (unverified),
 * where they start in the blob, and the blob's size, as its Content-Range said.
 */
public record UpstreamRange(UpstreamBlob blob, long first, long size) {
}
