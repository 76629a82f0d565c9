from django.urls import path

from dudao.surveys import sheets, views

app_name = "surveys"
urlpatterns = [
    path("county/<str:code>/", views.county, name="county"),
    path("<id:pk>/", views.survey, name="survey"),
    path("<id:pk>/settings/", views.settings, name="settings"),
    path("<id:pk>/close/", views.close, name="close"),
    path("<id:pk>/results/", views.result, name="results"),
    path("<id:pk>/results/evaluation/", views.to_evaluation, name="to_evaluation"),
    path("<id:pk>/responses/<id:response_pk>/review/", views.review, name="review"),
    path("<id:pk>/sheets/", sheets.index, name="sheets"),
    path("<id:pk>/sheets/all/", sheets.print_all, name="sheets_all"),
    path("<id:pk>/sheets/<str:code>/", sheets.school, name="sheet_school"),
    path("<id:pk>/sheets/<str:code>/classes/", sheets.classes, name="sheet_classes"),
    path("<id:pk>/<str:group>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("<id:pk>/<str:group>/tokens/", views.tokens, name="tokens"),
    path("<id:pk>/<str:group>/qr.<str:fmt>", views.qr, name="qr"),
]
public_urlpatterns = [
    path("s/<str:key>/<str:group>/", views.public, name="public"),
]
