package dev.berth.support;

import dev.berth.auth.Accounts;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Accounts known only by their fingerprints, which a test changes to remove an account or change its password. */
public final class FingerprintAccounts implements Accounts {
    private final Map<String, String> fingerprints;

    /** The accounts of {@code fingerprints} (user to fingerprint), kept in a map of its own. */
    public FingerprintAccounts(Map<String, String> fingerprints) {
        this.fingerprints = new ConcurrentHashMap<>(fingerprints);
    }

    /** The account's fingerprint, changed to {@code fingerprint} (its password changed), or added. */
    public void put(String user, String fingerprint) {
        fingerprints.put(user, fingerprint);
    }

    /** The account removed. */
    public void remove(String user) {
        fingerprints.remove(user);
    }

    @Override
    public boolean verify(String user, String password) {
        return false;
    }

    @Override
    public Optional<String> fingerprint(String user) {
        return Optional.ofNullable(fingerprints.get(user));
    }
}
