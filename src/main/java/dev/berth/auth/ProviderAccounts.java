package dev.berth.auth;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The accounts a page session may belong to when the page signs in through an identity provider ({@code auth.oidc}):
 * berth's own, and beside them every other name, which only the provider can have vouched for. berth cannot see when
 * the provider disables a user, so such a session's account fingerprint is that of the provider itself (its issuer and
 * berth's client there): changing or removing {@code auth.oidc} ends every session it opened, and a name that becomes
 * one of berth's own accounts later ends its provider sessions too. Otherwise a provider's session lasts until it
 * expires or its user signs out, with the groups it was opened with.
 */
public final class ProviderAccounts implements Accounts {
    private final Accounts own;
    private final String provider;

    /** {@code own} accounts, and the users of the provider {@code issuer} signs in for {@code clientId}. */
    public ProviderAccounts(Accounts own, String issuer, String clientId) {
        this.own = own;
        byte[] digest = Sha256.of("berth provider\n".getBytes(StandardCharsets.US_ASCII),
                (issuer + "\n" + clientId).getBytes(StandardCharsets.UTF_8));
        this.provider = "oidc-" + HexFormat.of().formatHex(digest, 0, 12);
    }

    @Override
    public boolean verify(String user, String password) {
        return own.verify(user, password);
    }

    @Override
    public Optional<String> fingerprint(String user) {
        return own.fingerprint(user).or(() -> Optional.of(provider));
    }
}
