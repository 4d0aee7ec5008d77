package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.lang.System.Logger;
import java.util.List;

/**
 * The answer to a push, upload or delete to a mirrored name: 403 DENIED whose message, the one part of the error that
 * Docker prints, explains where to push instead; and a warning in the log, once per name, for the operator.
 */
final class RefusedWrites {
    private static final Logger LOG = System.getLogger(RefusedWrites.class.getName());
    /** Names already logged: bounded, so a client trying many names cannot grow it; a name it drops logs again. */
    private static final int MAX_LOGGED = 1_000;

    private final String hint;
    private final Cache<String, Boolean> logged = Caffeine.newBuilder().maximumSize(MAX_LOGGED).build();

    /** With the private globs that pushes may go to instead (none: private.repositories is to be configured). */
    RefusedWrites(List<String> privateGlobs) {
        this.hint = privateGlobs.isEmpty() ? "configure private.repositories to push to berth"
                : "push to a private name instead (private.repositories: " + String.join(", ", privateGlobs) + ")";
    }

    /** The refusal of a write to {@code cachedName}, mirrored from {@code registry}. */
    RegistryException refuse(String cachedName, String registry) {
        String why = cachedName + " is mirrored from " + registry + " and read-only here; " + hint;
        if (logged.asMap().putIfAbsent(cachedName, Boolean.TRUE) == null) {
            LOG.log(Logger.Level.WARNING, "refused a push, upload or delete: " + why);
        }
        return new RegistryException(OciError.DENIED, why).withMessage(why);
    }
}
