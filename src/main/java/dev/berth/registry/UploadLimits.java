package dev.berth.registry;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Caps the upload sessions open at once, in all and for one client, with a 429 past either cap. It counts the
 * sessions this instance started: a session finished elsewhere (another instance on the same bucket) leaves the count
 * at the next purge round, which lists what is really open; sessions left from before a restart are not counted.
 */
public final class UploadLimits {
    private final int maxSessions;
    private final int maxPerClient;
    /** Guarded by this: each open session's client and when, in {@link #sequence} order, it was stored. */
    private final Map<String, Open> open = new HashMap<>();
    private final Map<String, Integer> perClient = new HashMap<>();
    private long sequence;

    /** At most {@code maxSessions} open sessions, {@code maxPerClient} of them for any one client. */
    public UploadLimits(int maxSessions, int maxPerClient) {
        this.maxSessions = maxSessions;
        this.maxPerClient = maxPerClient;
    }

    /** No caps at all. */
    static UploadLimits none() {
        return new UploadLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** Counts session {@code id} against {@code client}, or refuses it with 429 TOOMANYREQUESTS. */
    synchronized void opened(String id, String client) {
        int held = perClient.getOrDefault(client, 0);
        if (held >= maxPerClient) {
            throw tooMany("upload sessions open for " + client + " are at the limit of " + maxPerClient
                    + " (limits.max-upload-sessions-per-client)");
        }
        if (open.size() >= maxSessions) {
            throw tooMany("upload sessions open on this instance are at the limit of " + maxSessions
                    + " (limits.max-upload-sessions)");
        }
        // Not yet in the store: no listing may free it until stored() says it is.
        open.put(id, new Open(client, Long.MAX_VALUE));
        perClient.put(client, held + 1);
    }

    /** Session {@code id} is in the store now: a listing made after this that lacks it means it is gone. */
    synchronized void stored(String id) {
        open.computeIfPresent(id, (key, session) -> new Open(session.client(), ++sequence));
    }

    /** Frees the slot of session {@code id}, if it holds one: finished, cancelled or expired. */
    synchronized void closed(String id) {
        Open session = open.remove(id);
        if (session != null) {
            perClient.computeIfPresent(session.client(), (client, held) -> held == 1 ? null : held - 1);
        }
    }

    /** Where the stored sessions stand now, to pass to {@link #retainListed} with a listing made after. */
    synchronized long mark() {
        return sequence;
    }

    /**
     * Frees the slots of sessions stored by {@code mark} that {@code listed} (the open sessions in the store, listed
     * after the mark) no longer holds: another instance finished, cancelled or purged them.
     */
    synchronized void retainListed(Set<String> listed, long mark) {
        open.entrySet().stream()
                .filter(entry -> entry.getValue().sequence() <= mark && !listed.contains(entry.getKey()))
                .map(Map.Entry::getKey)
                .toList()
                .forEach(this::closed);
    }

    private static RegistryException tooMany(String what) {
        String message = what + "; finish or cancel (DELETE) some, or wait until unfinished ones"
                + " expire (storage.upload-timeout)";
        return new RegistryException(OciError.TOOMANYREQUESTS, message).withMessage(message);
    }

    private record Open(String client, long sequence) {
    }
}
