package dev.berth.admin;

import dev.berth.trust.SignatureState;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A tag of a stored repository as the admin API shows it: the manifest it points at, the image's size (manifest,
 * config and layers; for an index, those of every platform cached), the platforms of an index, when a client last
 * pulled it (mirrored content only), whether it is pinned, and its signature state where a policy covers it.
 */
public record TagInfo(String tag, String digest, String mediaType, long size, List<PlatformInfo> platforms,
                      Optional<Instant> lastPulled, boolean pinned, Optional<Signature> signature) {

    /** {@code verified} (by {@code key}), {@code unsigned}, {@code invalid} or {@code unreadable}, and why. */
    public record Signature(String state, String key, String reason) {
        static Signature of(SignatureState state) {
            return new Signature(state.kind().name().toLowerCase(Locale.ROOT), state.key(), state.reason());
        }
    }

    /** One platform of an index: its manifest, and whether berth holds that manifest. */
    public record PlatformInfo(String platform, String digest, long size, boolean cached) {
    }
}
