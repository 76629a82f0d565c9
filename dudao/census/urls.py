from django.urls import path

from dudao.census import views, views_import, views_review, views_template

app_name = "census"
urlpatterns = [
    path("county/<str:code>/<year:year>/", views.county_completeness, name="completeness"),
    path("county/<str:code>/<year:year>/import/", views.upload, name="upload"),
    path("county/<str:code>/<year:year>/import/<str:token>/", views_import.preview, name="preview"),
    path("county/<str:code>/<year:year>/import/<str:token>/confirm/", views_import.confirm, name="confirm"),
    path("county/<str:code>/<year:year>/import/<str:token>/discard/", views_import.discard, name="discard"),
    path("county/<str:code>/<year:year>/template.xlsx", views_template.county_template, name="county_template"),
    path("template/<year:year>/", views_template.templates, name="templates"),
    path("template/<year:year>/mine.xlsx", views_template.my_template, name="my_template"),
    path("template/blank.xlsx", views_template.blank_template, name="blank_template"),
    path("county/<str:code>/<year:year>/deadline/", views.deadline, name="deadline"),
    path("county/<str:code>/<year:year>/lock/", views.lock, name="lock"),
    path("county/<str:code>/<year:year>/unlock/", views.unlock, name="unlock"),
    path("county/<str:code>/<year:year>/remind/", views.remind, name="remind"),
    path("county/<str:code>/<year:year>/review/", views_review.review_queue, name="review"),
    path("county/<str:code>/<year:year>/review/approve-clean/", views_review.approve_clean, name="approve_clean"),
    path("county/<str:code>/<year:year>/review/<id:pk>/", views_review.review_record, name="review_record"),
    path("county/<str:code>/<year:year>/review/<id:pk>/<str:action>/", views_review.decide, name="decide"),
    path("school/<str:code>/<year:year>/", views.school_year, name="school"),
    path("school/<str:code>/<year:year>/<str:level>/", views.save, name="save"),
    path("record/<id:pk>/<str:action>/", views.transition, name="transition"),
]
