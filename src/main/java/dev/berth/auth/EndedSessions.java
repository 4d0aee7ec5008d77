package dev.berth.auth;

import dev.berth.storage.Storage;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Sessions ended before they expire, by signing out: kept in the store, so that every instance sharing it refuses them
 * within {@link #REFRESH}, and a restart forgets none. One empty object per sign-out under {@code sessions/ended/},
 * its name all there is to it: {@code <expiry>.<user id>.<session id>}, deleted once the session would have expired
 * anyway. An instance lists them again only when {@code sessions/changed}, which each sign-out rewrites, says so, or
 * when one it listed has expired.
 *
 * <p>Bounded: past {@link #PER_USER} sign-outs of one user within a session's lifetime, a sign-out ends every session
 * of that user issued before it ({@code <expiry>.<user id>.before-<second>}) and the entries it covers go.
 */
public final class EndedSessions {
    /** How often an instance looks for sign-outs on the others. */
    public static final Duration REFRESH = Duration.ofSeconds(2);
    static final String PREFIX = "sessions/ended";
    static final String CHANGED = "sessions/changed";
    /** Sign-outs of one user kept one by one; more within a session's lifetime end all of that user's sessions. */
    static final int PER_USER = 16;

    private static final Logger LOG = System.getLogger(EndedSessions.class.getName());
    private static final Pattern NAME =
            Pattern.compile("([0-9]{1,12})\\.([0-9a-f]{16})\\.(?:([0-9a-f-]{36})|before-([0-9]{1,12}))");
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f-]{36}");
    private static final HexFormat HEX = HexFormat.of();

    private final Storage storage;
    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    // What the last listing found; what this instance ended and has not written yet; and what it wrote since that
    // listing. A check looks at all three: a sign-out here counts at once, whatever the store does.
    private volatile Map<String, List<Entry>> listed = Map.of();
    private final Map<String, Entry> unwritten = new ConcurrentHashMap<>();
    private final Map<String, Entry> written = new ConcurrentHashMap<>();
    // The content of CHANGED at the last listing ("" for none, null before the first), and when the first entry
    // listed then expires: the next listing comes at a change or then, to delete it.
    private volatile String seenChange;
    private volatile long firstExpiry = Long.MAX_VALUE;
    private volatile boolean failing;

    /** The sign-outs kept in {@code storage}, of sessions that last {@code ttl}; nothing is read until a refresh. */
    public EndedSessions(Storage storage, Clock clock, Duration ttl) {
        this.storage = storage;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** One sign-out: a session, or every session of a user issued before a second. */
    private record Entry(long expires, String user, Optional<String> session, long before) {
        static Optional<Entry> parse(String name) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                return Optional.empty();
            }
            return Optional.of(new Entry(Long.parseLong(m.group(1)), m.group(2), Optional.ofNullable(m.group(3)),
                    m.group(4) == null ? 0 : Long.parseLong(m.group(4))));
        }

        String name() {
            return expires + "." + user + "." + session.orElse("before-" + before);
        }

        boolean ends(String userId, String sessionId, long issued) {
            return user.equals(userId) && session.map(sessionId::equals).orElse(issued < before);
        }
    }

    /** Whether {@code session} was signed out. */
    public boolean isEnded(VerifiedToken session) {
        String user = userId(session.principal());
        long issued = session.issuedAt().getEpochSecond();
        long now = clock.instant().getEpochSecond();
        return Stream.concat(listed.getOrDefault(user, List.of()).stream(),
                        Stream.concat(unwritten.values().stream(), written.values().stream()))
                .anyMatch(entry -> entry.expires() > now && entry.ends(user, session.id(), issued));
    }

    /**
     * Ends {@code session} here at once, and in the store for the other instances; when the store cannot be written,
     * each refresh tries again.
     */
    public void end(VerifiedToken session) {
        if (!SESSION_ID.matcher(session.id()).matches()) {
            return;
        }
        String user = userId(session.principal());
        long now = clock.instant().getEpochSecond();
        Entry ended = new Entry(session.expiresAt().getEpochSecond(), user, Optional.of(session.id()), 0);
        unwritten.put(ended.name(), ended);
        // Entries a sign-out of everything issued before this second covers; one issued within it is kept.
        List<Entry> covered = listed.getOrDefault(user, List.of()).stream().filter(e -> e.expires() > now
                && (e.session().isPresent() ? e.expires() - ttl.toSeconds() < now : e.before() <= now)).toList();
        if (covered.size() >= PER_USER) {
            Entry all = new Entry(now + ttl.toSeconds(), user, Optional.empty(), now);
            unwritten.put(all.name(), all);
        }
        try {
            writeUnwritten();
            if (covered.size() >= PER_USER) {
                covered.forEach(entry -> storage.delete(PREFIX + "/" + entry.name()));
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "signing out: the store cannot be written (" + e.getMessage() + "); the"
                    + " session has ended on this instance, the others learn of it once the store can be written");
        }
    }

    /** Writes what this instance ended and has not written yet, then marks the store as changed. */
    private void writeUnwritten() {
        boolean wrote = false;
        for (Entry entry : List.copyOf(unwritten.values())) {
            storage.write(PREFIX + "/" + entry.name(), new byte[0]);
            written.put(entry.name(), entry);
            unwritten.remove(entry.name());
            wrote = true;
        }
        if (wrote) {
            byte[] change = new byte[16];
            random.nextBytes(change);
            storage.write(CHANGED, HEX.formatHex(change).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Writes what is still unwritten; then, when a sign-out changed the store since the last look or a listed one has
     * expired, lists the sign-outs again and deletes those whose sessions have expired anyway.
     */
    void refresh() {
        writeUnwritten();
        long now = clock.instant().getEpochSecond();
        String change = storage.read(CHANGED, 64).map(b -> new String(b, StandardCharsets.US_ASCII)).orElse("");
        if (!change.equals(seenChange) || firstExpiry <= now) {
            Map<String, List<Entry>> found = new HashMap<>();
            for (String name : storage.list(PREFIX)) {
                Optional<Entry> entry = Entry.parse(name);
                if (entry.isPresent() && entry.get().expires() <= now) {
                    storage.delete(PREFIX + "/" + name);
                } else if (entry.isPresent()) {
                    found.computeIfAbsent(entry.get().user(), u -> new ArrayList<>()).add(entry.get());
                    written.remove(name);
                }
            }
            listed = Map.copyOf(found);
            seenChange = change;
            firstExpiry = found.values().stream().flatMap(List::stream).mapToLong(Entry::expires).min()
                    .orElse(Long.MAX_VALUE);
        }
        written.values().removeIf(entry -> entry.expires() <= now);
    }

    /**
     * A refresh, as the scheduler runs one every {@link #REFRESH}: a store that cannot be read is logged when it
     * starts and when it stops failing, not at every refresh.
     */
    public void poll() {
        try {
            refresh();
            if (failing) {
                failing = false;
                LOG.log(Logger.Level.INFO, "signed-out sessions: the store can be read again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(Logger.Level.WARNING, "signed-out sessions: cannot read the store (" + e.getMessage()
                        + "); sign-outs on other instances are seen once it can be read");
            }
        }
    }

    /** A fixed-length id of the user for names in the store, where user names themselves would not all fit. */
    private static String userId(Principal who) {
        byte[] digest = Sha256.of("berth session user\n".getBytes(StandardCharsets.US_ASCII),
                who.user().orElse("").getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(digest, 0, 8);
    }
}
