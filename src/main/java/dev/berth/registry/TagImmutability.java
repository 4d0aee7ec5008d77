package dev.berth.registry;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Enforces {@link ImmutableTags} on a repository's writes: a push that would move an immutable tag and a delete of
 * one are refused with {@code DENIED}. Pushes of one immutable tag take turns (a lock per stripe of tags), so two
 * pushes of different digests cannot both find the tag absent; on a store shared by several instances that check is
 * per instance.
 */
final class TagImmutability {
    /** For the administrator's writes, which immutability does not bind. */
    static final TagImmutability NONE = new TagImmutability(ImmutableTags.NONE);
    private static final int STRIPES = 64;

    private final ImmutableTags rules;
    private final ReentrantLock[] pushes = new ReentrantLock[STRIPES];

    TagImmutability(ImmutableTags rules) {
        this.rules = rules;
        for (int i = 0; i < STRIPES; i++) {
            pushes[i] = new ReentrantLock();
        }
    }

    /** Runs {@code push} of {@code tag}, one at a time for an immutable tag. */
    <T> T pushing(RepoName name, String tag, Supplier<T> push) {
        if (!rules.isImmutable(name, tag)) {
            return push.get();
        }
        ReentrantLock lock = pushes[Math.floorMod((name.value() + ":" + tag).hashCode(), STRIPES)];
        lock.lock();
        try {
            return push.get();
        } finally {
            lock.unlock();
        }
    }

    /** Passes unless {@code tag} is immutable and already points at something else than {@code pushed}. */
    void checkMove(RepoName name, String tag, boolean pointsElsewhere) {
        if (pointsElsewhere && rules.isImmutable(name, tag)) {
            throw refused("tag " + tag + " of " + name + " is immutable");
        }
    }

    /** Passes unless {@code tag} is immutable. */
    void checkDelete(RepoName name, String tag) {
        if (rules.isImmutable(name, tag)) {
            throw refused("tag " + tag + " of " + name + " is immutable: only an administrator deletes it, through"
                    + " /api/v1");
        }
    }

    /** DENIED with the reason as the message, which Docker prints (it never prints the detail). */
    private static RegistryException refused(String reason) {
        return new RegistryException(OciError.DENIED, reason).withMessage(reason);
    }
}
