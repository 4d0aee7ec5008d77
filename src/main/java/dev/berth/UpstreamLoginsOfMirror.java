package dev.berth;

import dev.berth.auth.UpstreamLogins;
import dev.berth.mirror.CallerUpstream;
import dev.berth.mirror.MirrorService;
import dev.berth.oci.RepoName;
import dev.berth.upstream.UpstreamException;
import java.util.List;
import java.util.Optional;

/**
 * The mirror's {@code access: caller} upstreams as the access decision asks them: it puts the mirror's answers in the
 * access decision's terms, so that neither package knows the other.
 */
final class UpstreamLoginsOfMirror implements UpstreamLogins {
    private final MirrorService mirror;

    UpstreamLoginsOfMirror(MirrorService mirror) {
        this.mirror = mirror;
    }

    @Override
    public Optional<Question> deciding(String storedName) {
        return RepoName.isValid(storedName)
                ? mirror.callerUpstream(RepoName.of(storedName)).map(UpstreamLoginsOfMirror::question)
                : Optional.empty();
    }

    @Override
    public List<Question> logins() {
        return mirror.callerUpstreams().stream().map(UpstreamLoginsOfMirror::question).toList();
    }

    private static Question question(CallerUpstream upstream) {
        return new Question(upstream.registry(), upstream.upstreamName().map(RepoName::value), upstream.remember());
    }

    @Override
    public Answer ask(Question question, String user, String password) {
        try {
            return switch (mirror.askUpstream(question.registry(), question.repository().map(RepoName::of), user,
                    password)) {
                case GRANTED -> Answer.GRANTED;
                case DENIED -> Answer.DENIED;
                case REFUSED -> Answer.REFUSED;
            };
        } catch (UpstreamException e) {
            throw new Unanswered(e.getMessage());
        }
    }
}
