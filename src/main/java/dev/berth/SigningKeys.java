package dev.berth;

import dev.berth.auth.AccessTokenCheck;
import dev.berth.auth.Accounts;
import dev.berth.auth.ClusterSecret;
import dev.berth.auth.Tokens;
import dev.berth.config.BerthConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The keys berth signs tokens, sessions and peer requests with: those of {@code cluster.secret-file}, read once and
 * the same on every instance that has it, else keys of this process alone.
 */
final class SigningKeys {
    private final Optional<ClusterSecret> secret;

    private SigningKeys(Optional<ClusterSecret> secret) {
        this.secret = secret;
    }

    /**
     * The keys of {@code config}; the secret file is required where instances share a bucket and have logins, since
     * each must accept the others' tokens (an IllegalArgumentException saying how to make one).
     */
    static SigningKeys of(BerthConfig config, boolean sharedStore) {
        Optional<Path> secretFile = config.cluster().flatMap(BerthConfig.Cluster::secretFile);
        if (secretFile.isEmpty() && sharedStore && config.auth().enabled()) {
            throw new IllegalArgumentException("storage.s3 with logins (auth.htpasswd, auth.ldap, auth.oidc) needs"
                    + " cluster.secret-file: instances sharing a bucket must accept each other's tokens (make one with:"
                    + " head -c 32 /dev/urandom"
                    + " | base64 > /etc/berth/cluster.key, the same file on every instance)");
        }
        return new SigningKeys(secretFile.map(ClusterSecret::load));
    }

    /** The cluster secret, if configured: peers sign their requests to each other with it. */
    Optional<ClusterSecret> clusterSecret() {
        return secret;
    }

    /** A 256-bit key for {@code purpose}: the cluster secret's, else one of this process alone. */
    byte[] key(String purpose) {
        return secret.map(key -> key.key(purpose)).orElseGet(() -> {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return key;
        });
    }

    /** Tokens for {@code purpose}, signed with the cluster secret's key for it, else with a key of this process. */
    Tokens tokens(String purpose, String service, Duration ttl, Clock clock, Accounts accounts) {
        return tokens(purpose, service, ttl, clock, accounts, AccessTokenCheck.NONE);
    }

    /** As {@link #tokens(String, String, Duration, Clock, Accounts)}, also for holders of {@code accessTokens}. */
    Tokens tokens(String purpose, String service, Duration ttl, Clock clock, Accounts accounts,
                  AccessTokenCheck accessTokens) {
        return secret.map(key -> new Tokens(service, key.key(purpose), ttl, clock, accounts, accessTokens))
                .orElseGet(() -> new Tokens(service, ttl, clock, accounts, accessTokens));
    }
}
