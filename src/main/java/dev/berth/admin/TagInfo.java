package dev.berth.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A tag of a stored repository as the admin API shows it: the manifest it points at, the image's size (manifest,
 * config and layers; for an index, those of every platform cached), the platforms of an index, when a client last
 * pulled it (mirrored content only), and whether it is pinned.
 */
public record TagInfo(String tag, String digest, String mediaType, long size, List<PlatformInfo> platforms,
                      Optional<Instant> lastPulled, boolean pinned) {

    /** One platform of an index: its manifest, and whether berth holds that manifest. */
    public record PlatformInfo(String platform, String digest, long size, boolean cached) {
    }
}
