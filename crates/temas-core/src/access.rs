//! Roles and record visibility. The store applies [`Viewer`] to every read, so no path can forget it.

use crate::ids::{TeamId, UserId, WorkspaceId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Member,
    Marketer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Owner,
        Role::Admin,
        Role::Manager,
        Role::Member,
        Role::Marketer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Marketer => "marketer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Owners and admins manage users, teams, custom fields and workspace settings.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Viewers only read.
    pub fn can_write(self) -> bool {
        self != Role::Viewer
    }

    /// Owners, admins and managers keep the product catalogue; everyone reads it.
    pub fn can_manage_catalogue(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::Manager)
    }
}

/// Which records a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Records the user owns.
    Own,
    /// Records the user owns and records of the user's team.
    Team,
    /// Every record of the workspace.
    All,
}

/// The visibility scope of each role: a workspace setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VisibilitySettings {
    pub owner: Scope,
    pub admin: Scope,
    pub manager: Scope,
    pub member: Scope,
    pub marketer: Scope,
    pub viewer: Scope,
}

impl Default for VisibilitySettings {
    fn default() -> Self {
        Self {
            owner: Scope::All,
            admin: Scope::All,
            manager: Scope::Team,
            member: Scope::Team,
            marketer: Scope::All,
            viewer: Scope::Team,
        }
    }
}

impl VisibilitySettings {
    pub fn scope_of(&self, role: Role) -> Scope {
        match role {
            // The owner always sees everything: a workspace must never lock its owner out.
            Role::Owner => Scope::All,
            Role::Admin => self.admin,
            Role::Manager => self.manager,
            Role::Member => self.member,
            Role::Marketer => self.marketer,
            Role::Viewer => self.viewer,
        }
    }
}

/// The signed-in user as the store sees them: whose records they may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub team_id: Option<TeamId>,
    pub role: Role,
    pub scope: Scope,
}

impl Viewer {
    /// Whether a record with this owner and team is visible.
    pub fn can_see(&self, owner: Option<UserId>, team: Option<TeamId>) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Team => owner == Some(self.user_id) || (team.is_some() && team == self.team_id),
            Scope::Own => owner == Some(self.user_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(scope: Scope, team: Option<TeamId>) -> Viewer {
        Viewer {
            workspace_id: WorkspaceId::new(),
            user_id: UserId::new(),
            team_id: team,
            role: Role::Member,
            scope,
        }
    }

    #[test]
    fn team_scope_sees_own_and_team_records_only() {
        let team = TeamId::new();
        let v = viewer(Scope::Team, Some(team));
        assert!(v.can_see(Some(v.user_id), None));
        assert!(v.can_see(Some(UserId::new()), Some(team)));
        assert!(!v.can_see(Some(UserId::new()), Some(TeamId::new())));
        assert!(!v.can_see(None, None));
    }

    #[test]
    fn a_user_without_team_does_not_see_teamless_records() {
        let v = viewer(Scope::Team, None);
        assert!(!v.can_see(Some(UserId::new()), None));
    }

    #[test]
    fn owner_always_sees_all() {
        let s = VisibilitySettings {
            admin: Scope::Own,
            ..Default::default()
        };
        assert_eq!(s.scope_of(Role::Owner), Scope::All);
        assert_eq!(s.scope_of(Role::Admin), Scope::Own);
    }
}
