package dev.berth.auth;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The accounts of an htpasswd file ({@code auth.htpasswd}), bcrypt entries only. Changes to the file take effect
 * without a restart: it is looked at again on use, at most once per {@link #CHECK_INTERVAL}. Every use counts: a
 * login, and the check of a token or session against the account it was issued to.
 */
public final class HtpasswdAccounts implements Accounts {
    /** How often, at most, a login looks at the file for changes. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = System.getLogger(HtpasswdAccounts.class.getName());

    private final Path file;
    private final Clock clock;
    private volatile LoadedAccounts accounts;
    private volatile Instant nextCheck;
    // Guarded by this.
    private byte[] loadedDigest;
    private boolean unreadable;

    private HtpasswdAccounts(Path file, Clock clock, byte[] content) {
        this.file = file;
        this.clock = clock;
        this.nextCheck = clock.instant().plus(CHECK_INTERVAL);
        load(content);
    }

    /** Reads {@code file}; see {@link #load(Path, Clock)}. */
    public static HtpasswdAccounts load(Path file) {
        return load(file, Clock.systemUTC());
    }

    /**
     * Reads {@code file}, which must exist, and watches it with {@code clock} deciding when a check is due.
     *
     * @throws IllegalArgumentException if the file cannot be read, with a message for the administrator
     */
    public static HtpasswdAccounts load(Path file, Clock clock) {
        try {
            return new HtpasswdAccounts(file, clock, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("auth.htpasswd: cannot read " + file.toAbsolutePath()
                    + " (create it with: berth passwd USER)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("auth.htpasswd: cannot read " + file.toAbsolutePath() + ": "
                    + reason(e), e);
        }
    }

    @Override
    public boolean verify(String user, String password) {
        if (user == null || password == null || password.isEmpty()) {
            return false;
        }
        return current().verify(user, password.getBytes(StandardCharsets.UTF_8));
    }

    /** The fingerprint of {@code user}'s entry in the file as it is now (looked at again at most once a second). */
    @Override
    public Optional<String> fingerprint(String user) {
        return user == null ? Optional.empty() : current().fingerprint(user);
    }

    private LoadedAccounts current() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return accounts;
        }
        synchronized (this) {
            if (!now.isBefore(nextCheck)) {
                nextCheck = now.plus(CHECK_INTERVAL);
                reloadIfChanged();
            }
            return accounts;
        }
    }

    /**
     * Reads the whole file and compares its bytes with those last loaded. Size and modification time would miss a
     * password changed in place within the file system's timestamp granularity (bcrypt hashes all have one length);
     * the file is small and read at most once a second, and a replacement by rename is seen like any other change.
     */
    private synchronized void reloadIfChanged() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            if (!unreadable) {
                unreadable = true;
                LOG.log(Logger.Level.WARNING, "auth.htpasswd: cannot read " + file + " (" + reason(e)
                        + "); keeping the " + accounts.size() + " accounts read before");
            }
            return;
        }
        if (unreadable) {
            unreadable = false;
            LOG.log(Logger.Level.INFO, "auth.htpasswd: " + file + " is readable again");
        }
        if (!MessageDigest.isEqual(Sha256.of(content), loadedDigest)) {
            load(content);
        }
    }

    private synchronized void load(byte[] content) {
        boolean first = accounts == null;
        // Decoded leniently: a byte that is not UTF-8 can only spoil the line it is on.
        accounts = LoadedAccounts.from(HtpasswdFile.parse(new String(content, StandardCharsets.UTF_8)), file);
        loadedDigest = Sha256.of(content);
        LOG.log(Logger.Level.INFO, "auth.htpasswd: " + (first ? "read " : "reloaded ") + accounts.size()
                + " accounts from " + file);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    @Override
    public String toString() {
        return "HtpasswdAccounts[" + file + "]";
    }
}
