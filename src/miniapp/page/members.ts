import { act } from './act.js';
import type { View } from './context.js';
import { h, replace } from './dom.js';
import { utc } from './i18n.js';

// Members (paid access): active, lapsing (ending soon or awaiting removal), removed; Revoke ends access now, as
// /revoke does, and the lapse sweep removes the member by the same rules.

interface MemberJson {
  productId: number;
  productTitle: string;
  chatTitle: string | null;
  userId: number;
  standing: 'active' | 'lapsing' | 'removed';
  endsAt: string | null;
}

export async function showMembers(view: View): Promise<void> {
  const { t, call, root } = view;
  const { members } = await call<{ members: MemberJson[] }>('members');
  const group = (standing: MemberJson['standing']) => {
    const rows = members.filter((m) => m.standing === standing);
    return h(
      'section',
      { class: 'card', id: `members-${standing}` },
      h('h3', {}, t(`app-members-${standing}`), ` (${rows.length})`),
      rows.length === 0
        ? h('p', { class: 'hint' }, t('app-members-none'))
        : h(
            'ul',
            { class: 'list' },
            ...rows.map((m) =>
              h(
                'li',
                { class: 'row' },
                h('span', { class: 'row-title' }, t('app-member', { user: String(m.userId) }), ' · ', m.productTitle),
                h(
                  'span',
                  { class: 'row-meta' },
                  m.chatTitle ?? '',
                  ' · ',
                  m.endsAt === null ? t('app-member-for-life') : utc(m.endsAt),
                ),
                standing !== 'removed' &&
                  h(
                    'button',
                    {
                      class: 'danger',
                      onclick: () => {
                        if (!confirm(t('app-revoke-confirm', { user: String(m.userId) }))) return;
                        void act(
                          view,
                          () =>
                            call('members/revoke', {
                              method: 'POST',
                              body: { productId: m.productId, userId: m.userId },
                            }),
                          t('app-revoked'),
                          () => void showMembers(view),
                        );
                      },
                    },
                    t('app-revoke'),
                  ),
              ),
            ),
          ),
    );
  };
  replace(root, h('h2', {}, t('app-tab-members')), group('active'), group('lapsing'), group('removed'));
}
