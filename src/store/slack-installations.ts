/**
 * `slackInstallations`: one document per Slack workspace (or Enterprise Grid organisation) that installed the app
 * through the OAuth flow, `_id` `team:<teamId>` or `enterprise:<enterpriseId>`. The installation is kept as Bolt's
 * `@slack/oauth` gives it; its tokens are encrypted at rest (`ENCRYPTED_FIELDS`) under the data key of the
 * organisation the workspace belongs to — the organisation whose `slackTeamId` it is — or, while no organisation
 * claims it, the deployment's own key, and again under the organisation's when it is linked (`relink`).
 */
import type { SlackInstallationRepository, SlackInstallationSummary, SlackInstallationQuery } from '../app/ports.js';
import type { Models } from './models.js';

type Doc = Record<string, unknown>;

/** The stored id of an installation: an organisation-wide (Enterprise Grid) install by its enterprise, else by its team. */
export function installationId(q: SlackInstallationQuery): string | null {
  if (q.isEnterpriseInstall && q.enterpriseId) return `enterprise:${q.enterpriseId}`;
  if (q.teamId) return `team:${q.teamId}`;
  if (q.enterpriseId) return `enterprise:${q.enterpriseId}`;
  return null;
}

const summaryOf = (d: Doc): SlackInstallationSummary => ({
  id: String(d._id),
  ...(typeof d.teamId === 'string' ? { teamId: d.teamId } : {}),
  ...(typeof d.enterpriseId === 'string' ? { enterpriseId: d.enterpriseId } : {}),
  ...(typeof d.teamName === 'string' ? { teamName: d.teamName } : {}),
  ...(typeof d.organisationId === 'string' ? { organisationId: d.organisationId } : {}),
  installedAt: d.installedAt as Date,
});

export function slackInstallationRepository(m: Models): SlackInstallationRepository {
  /** The organisation that claims a workspace (its `slackTeamId`), if any. */
  const owner = async (teamId?: string): Promise<string | undefined> => {
    if (!teamId) return undefined;
    const org = await m.organisations.findOne({ slackTeamId: teamId }).select({ _id: 1 }).lean<{ _id: string } | null>();
    return org?._id;
  };
  return {
    async store(installation, at) {
      const i = installation as { team?: { id?: string; name?: string }; enterprise?: { id?: string }; isEnterpriseInstall?: boolean };
      const query = { teamId: i.team?.id, enterpriseId: i.enterprise?.id, isEnterpriseInstall: i.isEnterpriseInstall };
      const id = installationId(query);
      if (!id) throw new Error('an installation names neither a team nor an enterprise');
      const organisationId = await owner(i.team?.id);
      // a replacement: a workspace installed again (new scopes, a new token) keeps only the newest installation
      await m.slackInstallations.replaceOne(
        { _id: id },
        {
          _id: id,
          ...(i.team?.id ? { teamId: i.team.id } : {}),
          ...(i.enterprise?.id ? { enterpriseId: i.enterprise.id } : {}),
          ...(i.team?.name ? { teamName: i.team.name.slice(0, 100) } : {}),
          ...(organisationId ? { organisationId } : {}),
          installation: JSON.parse(JSON.stringify(installation)) as Doc,
          installedAt: at,
        },
        { upsert: true },
      );
      return summaryOf({ _id: id, teamId: i.team?.id, enterpriseId: i.enterprise?.id, teamName: i.team?.name, organisationId, installedAt: at });
    },
    async fetch(query) {
      // a workspace of an organisation-wide install has no document of its own: its enterprise's answers for it
      const ids = [installationId({ ...query, isEnterpriseInstall: query.isEnterpriseInstall }), query.enterpriseId ? `enterprise:${query.enterpriseId}` : null].filter((x): x is string => Boolean(x));
      for (const id of [...new Set(ids)]) {
        const doc = await m.slackInstallations.findById(id).lean<Doc | null>();
        if (doc?.installation) return doc.installation as Record<string, unknown>;
      }
      return null;
    },
    async summary(teamId) {
      const doc = await m.slackInstallations.findById(`team:${teamId}`).select({ installation: 0 }).lean<Doc | null>();
      return doc ? summaryOf(doc) : null;
    },
    async list() {
      return (await m.slackInstallations.find({}).select({ installation: 0 }).sort({ installedAt: 1, _id: 1 }).limit(1000).lean<Doc[]>()).map(summaryOf);
    },
    async remove(query) {
      const id = installationId(query);
      if (!id) return null;
      const doc = await m.slackInstallations.findOneAndDelete({ _id: id }).select({ installation: 0 }).lean<Doc | null>();
      return doc ? summaryOf(doc) : null;
    },
    async removeUserToken(query) {
      const id = installationId(query);
      if (!id) return;
      await m.slackInstallations.updateOne({ _id: id }, { $unset: { 'installation.user.token': 1, 'installation.user.refreshToken': 1, 'installation.user.expiresAt': 1 } });
    },
    async relink(teamId) {
      const doc = await m.slackInstallations.findById(`team:${teamId}`).lean<Doc | null>();
      if (!doc) return;
      const organisationId = await owner(teamId);
      if (organisationId === doc.organisationId) return;
      const { organisationId: _before, ...rest } = doc;
      // written again whole: its tokens go under the data key of the organisation that claims it now
      await m.slackInstallations.replaceOne({ _id: doc._id }, { ...rest, ...(organisationId ? { organisationId } : {}) });
    },
  };
}
