package dev.berth.storage;

import java.time.Instant;

/** What {@link Storage#stat} knows about an object. */
public record ObjectInfo(long size, Instant modified) {
}
