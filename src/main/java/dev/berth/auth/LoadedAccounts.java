package dev.berth.auth;

import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The accounts of one version of the htpasswd file, with the passwords verified against them. */
final class LoadedAccounts {
    private static final Logger LOG = System.getLogger(LoadedAccounts.class.getName());

    private static final byte[] FINGERPRINT_PURPOSE = "berth account\n".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of SHA-256 a fingerprint keeps: enough that no two versions of an entry share one. */
    private static final int FINGERPRINT_BYTES = 16;

    private final Map<String, BcryptHash> hashes;
    private final Map<String, String> fingerprints;
    private final BcryptHash dummy;
    // Per version of the file: a reload starts with an empty cache, so a changed password or a removed user takes
    // effect at once, even for a check that was running during the reload.
    private final VerifiedPasswords verified = new VerifiedPasswords();

    private LoadedAccounts(Map<String, BcryptHash> hashes) {
        this.hashes = Map.copyOf(hashes);
        Map<String, String> fingerprints = new HashMap<>();
        this.hashes.forEach((user, hash) -> fingerprints.put(user, fingerprint(user, hash)));
        this.fingerprints = Map.copyOf(fingerprints);
        // Its password does not matter: a match for a user who does not exist is still refused.
        this.dummy = BcryptHash.of("no such user".getBytes(StandardCharsets.US_ASCII), typicalCost(this.hashes));
    }

    /** The bcrypt entries of {@code file}; any other entry is logged (by line number, never its hash) and skipped. */
    static LoadedAccounts from(HtpasswdFile file, Path path) {
        Map<String, BcryptHash> hashes = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (HtpasswdFile.Entry entry : file.entries()) {
            String where = "auth.htpasswd: " + path + " line " + entry.lineNumber();
            if (entry.user().isEmpty()) {
                LOG.log(Logger.Level.WARNING, where + " ignored: it names no user");
            } else if (!seen.add(entry.user())) {
                LOG.log(Logger.Level.WARNING, where + " ignored: user " + entry.user()
                        + " has an entry further up, which is the one used");
            } else {
                BcryptHash.parse(entry.hash()).ifPresentOrElse(hash -> hashes.put(entry.user(), hash),
                        () -> LOG.log(Logger.Level.WARNING, where + " (user " + entry.user() + ") ignored: only bcrypt"
                                + " hashes are supported (htpasswd -B, or berth passwd " + entry.user() + "), and this"
                                + " is " + describeOther(entry.hash())));
            }
        }
        return new LoadedAccounts(hashes);
    }

    /** Whether {@code password} is {@code user}'s; costs one bcrypt check unless it was verified recently. */
    boolean verify(String user, byte[] password) {
        if (verified.contains(user, password)) {
            return true;
        }
        BcryptHash hash = hashes.get(user);
        // An unknown user costs a check as well, so that response times do not tell which users exist.
        boolean matches = (hash != null ? hash : dummy).matches(password) && hash != null;
        if (matches) {
            verified.add(user, password);
        }
        return matches;
    }

    /** The fingerprint of {@code user}'s entry (see {@link Accounts#fingerprint}), empty for no such user. */
    Optional<String> fingerprint(String user) {
        return Optional.ofNullable(fingerprints.get(user));
    }

    /**
     * SHA-256 of the user and the whole hash field: a new password has a new salt and hash, so a new fingerprint, and
     * without the secret that the password is, the fingerprint cannot be turned back into a hash to try guesses on.
     */
    private static String fingerprint(String user, BcryptHash hash) {
        byte[] digest = Sha256.of(FINGERPRINT_PURPOSE, user.getBytes(StandardCharsets.UTF_8), new byte[] {'\n'},
                hash.encoded().getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, FINGERPRINT_BYTES));
    }

    int size() {
        return hashes.size();
    }

    /** The cost most entries use, so checking the dummy takes as long as checking a real user. */
    private static int typicalCost(Map<String, BcryptHash> hashes) {
        return hashes.values().stream()
                .collect(Collectors.groupingBy(BcryptHash::cost, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.<Integer, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).orElse(BcryptHash.DEFAULT_COST);
    }

    /** What a hash berth does not accept looks like, by its prefix: never the hash itself. */
    private static String describeOther(String hash) {
        if (hash.isEmpty()) {
            return "an empty field";
        }
        if (hash.startsWith("$apr1$")) {
            return "MD5 ($apr1$)";
        }
        if (hash.startsWith("{SHA}")) {
            return "SHA-1 ({SHA})";
        }
        if (hash.startsWith("$5$") || hash.startsWith("$6$")) {
            return "SHA-2 crypt (" + hash.substring(0, 3) + ")";
        }
        if (hash.startsWith("$2")) {
            return "a bcrypt variant or cost (4 to 17) that berth does not read, or a damaged hash";
        }
        return "crypt or plain text";
    }
}
