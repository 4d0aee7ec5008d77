package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.berth.config.BerthConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The accounts of a directory ({@code auth.ldap}). What it answers is remembered for {@code cacheTtl}: a user's entry
 * and groups (or that there is no such user), and a password it accepted (as {@link VerifiedPasswords} keeps them:
 * salted hashes), so that a client sending credentials with every request binds once in that time, not once a
 * request. A refused password is never remembered. While the directory cannot be asked, what is remembered still
 * serves until it expires; after that, and for anyone not remembered, {@link AccountsUnavailable}.
 *
 * <p>A directory user's fingerprint is that of their entry (its DN, and its {@code entryUUID} where the directory keeps
 * one), not of their password, which berth cannot read: a user removed from the directory, or excluded by
 * {@code user-filter} (a disabled account, when the filter says so), or moved or made again, ends their tokens and
 * sessions once the remembered entry expires. A changed password ends them only for htpasswd users.
 */
public final class DirectoryAccounts implements Accounts {
    /** The longest name berth asks the directory for, as for htpasswd users. */
    private static final int MAX_USER_LENGTH = HtpasswdFile.MAX_USER_LENGTH;

    private final LdapDirectory directory;
    /**
     * Entries by user name, and that a name has none: pages signed in through a provider ask for the accounts of
     * names the directory does not know with every request, which must not each cost a search.
     */
    private final Cache<String, Optional<DirectoryUser>> users;
    private final VerifiedPasswords verified;

    DirectoryAccounts(LdapDirectory directory, Duration cacheTtl, Ticker ticker) {
        this.directory = directory;
        this.users = Caffeine.newBuilder().expireAfterWrite(cacheTtl).maximumSize(10_000).ticker(ticker).build();
        this.verified = new VerifiedPasswords(cacheTtl, ticker);
    }

    /**
     * The accounts of the directory {@code config} names, which is not asked anything yet (it may be down while berth
     * starts); {@code clock} tells when a remembered answer expires.
     *
     * @throws IllegalArgumentException for a filter that is none, or a CA file that cannot serve
     */
    public static DirectoryAccounts of(BerthConfig.Ldap config, Clock clock) {
        return new DirectoryAccounts(new LdapDirectory(config), config.cacheTtl(),
                () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    }

    /**
     * Whether {@code password} is {@code user}'s, by binding as their entry unless it was accepted recently.
     *
     * @throws AccountsUnavailable when the directory cannot be asked
     */
    @Override
    public boolean verify(String user, String password) {
        if (password == null || password.isEmpty()) {
            return false;
        }
        Optional<DirectoryUser> entry = find(user);
        if (entry.isEmpty()) {
            return false;
        }
        // Keyed by the entry too: a password accepted for an entry since replaced proves nothing for the new one.
        String key = entry.get().fingerprint() + "\n" + user;
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        if (verified.contains(key, bytes)) {
            return true;
        }
        boolean matches = directory.checkPassword(entry.get().dn(), password);
        if (matches) {
            verified.add(key, bytes);
        }
        return matches;
    }

    /** @throws AccountsUnavailable when the directory cannot be asked and the entry is not remembered */
    @Override
    public Optional<String> fingerprint(String user) {
        return find(user).map(DirectoryUser::fingerprint);
    }

    /** @throws AccountsUnavailable when the directory cannot be asked and the entry is not remembered */
    @Override
    public Set<String> groups(String user) {
        return find(user).map(DirectoryUser::groups).orElse(Set.of());
    }

    private Optional<DirectoryUser> find(String user) {
        if (user == null || user.isEmpty() || user.length() > MAX_USER_LENGTH) {
            return Optional.empty();
        }
        // One lookup at a time per user: the requests of a pull that all arrive as the entry expires share it.
        return users.get(user, directory::find);
    }

    @Override
    public String toString() {
        return "DirectoryAccounts[" + directory + "]";
    }
}
