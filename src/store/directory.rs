//! Who is who, as the service asks it: owners and districts by what an operator types,
//! operators, the keys they connect with and the registration requests. Each read is the
//! store's own function on the open connection; the service never handles the connection.

use super::Store;
use super::operators::{self, OperatorRow};
use super::owners::{self, DistrictRef, OwnerRef};
use super::registrations::{self, Request};
use crate::domain::registration::Status;
use anyhow::Result;

impl Store {
    pub fn find_owner(&self, query: &str) -> Result<OwnerRef> {
        owners::find_owner(self.conn(), query)
    }

    pub fn find_district(&self, query: &str) -> Result<DistrictRef> {
        owners::find_district(self.conn(), query)
    }

    pub fn operator_count(&self) -> Result<i64> {
        operators::count(self.conn())
    }

    /// Every operator, or only `only`.
    pub fn operators(&self, only: Option<&str>) -> Result<Vec<OperatorRow>> {
        operators::list(self.conn(), only)
    }

    pub fn operator_id(&self, username: &str) -> Result<i64> {
        operators::id_of(self.conn(), username)
    }

    /// The operator a key fingerprint belongs to.
    pub fn operator_of_key(&self, fingerprint: &str) -> Result<Option<String>> {
        super::keys::operator_of(self.conn(), fingerprint)
    }

    pub fn pending_request_for_key(&self, fingerprint: &str) -> Result<Option<Request>> {
        registrations::pending_for_key(self.conn(), fingerprint)
    }

    pub fn last_rejected_request_for_key(&self, fingerprint: &str) -> Result<Option<Request>> {
        registrations::last_rejected_for_key(self.conn(), fingerprint)
    }

    /// A page of registration requests, newest first, older than `before`.
    pub fn registration_requests(
        &self,
        status: Option<Status>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Request>> {
        registrations::list(self.conn(), status, before, limit)
    }

    pub fn registration_request(&self, id: i64) -> Result<Option<Request>> {
        registrations::get(self.conn(), id)
    }
}
